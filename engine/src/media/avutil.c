/* FFmpeg glue shared by the decoder, image import and export: error
 * mapping, logging policy and the one pixel path to 8-bit sRGB.
 *
 * The RGB conversion is swscale with SWS_BICUBIC, what the `ffmpeg` program
 * uses by default; the evaluation protocol (design.md §4) was measured that
 * way (copy baseline 26.21 / 25.15 dB), so the engine reproduces it.  We do
 * not add SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND: it changes those figures
 * by +0.02 dB and costs speed. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
#include "core/internal.h"
#include "media/avutil.h"
#include "tinta/color.h"

int
tinta_status_from_averror (int averr, int fallback)
{
  switch (averr)
    {
    case AVERROR(ENOMEM): return TINTA_ERR_NO_MEMORY;
    case AVERROR(ENOENT): return TINTA_ERR_NOT_FOUND;
    case AVERROR(EACCES):
    case AVERROR(EPERM):
    case AVERROR(EROFS): return TINTA_ERR_UNWRITABLE;
    case AVERROR(EIO):
    case AVERROR(ENOSPC): return TINTA_ERR_IO;
    case AVERROR_INVALIDDATA: return TINTA_ERR_INVALID_DATA;
    case AVERROR_DECODER_NOT_FOUND: return TINTA_ERR_UNSUPPORTED_CODEC;
    case AVERROR_ENCODER_NOT_FOUND: return TINTA_ERR_UNSUPPORTED_CODEC;
    case AVERROR_EOF: return TINTA_ERR_TRUNCATED;
    default: break;
    }
  return fallback;
}

const char *
tinta_av_err_str (int averr, char *buf, size_t size)
{
  if (av_strerror (averr, buf, size) < 0)
    snprintf (buf, size, "FFmpeg error %d", averr);
  return buf;
}

static void
init_once (void)
{
  const char *v = getenv ("TINTA_FFMPEG_LOG");
  /* The engine reports every problem itself, once, naming the file; FFmpeg's
   * own chatter on stderr would only confuse users of tinta-cli. */
  av_log_set_level (v && v[0] ? AV_LOG_VERBOSE : AV_LOG_QUIET);
}

void
tinta_av_init (void)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, init_once);
}

int
tinta_pixfmt_is_gray (enum AVPixelFormat fmt)
{
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (fmt);
  if (d == NULL)
    return 0;
  return d->nb_components <= 2 && !(d->flags & AV_PIX_FMT_FLAG_PAL)
         && !(d->flags & AV_PIX_FMT_FLAG_RGB);
}

int
tinta_pixfmt_supported (enum AVPixelFormat fmt)
{
  const AVPixFmtDescriptor *d = av_pix_fmt_desc_get (fmt);
  if (d == NULL || (d->flags & AV_PIX_FMT_FLAG_HWACCEL) || (d->flags & AV_PIX_FMT_FLAG_BITSTREAM))
    return 0;
  return sws_isSupportedInput (fmt) > 0;
}

/* swscale still wants the deprecated yuvj* formats to mean full range;
 * decoders may also say so with color_range. */
static int
frame_is_full_range (const AVFrame *f)
{
  switch ((enum AVPixelFormat) f->format)
    {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ411P:
      return 1;
    default:
      return f->color_range == AVCOL_RANGE_JPEG;
    }
}

void
tinta_rgb_converter_clear (tinta_rgb_converter *conv)
{
  if (conv == NULL)
    return;
  sws_freeContext (conv->sws);
  memset (conv, 0, sizeof *conv);
}

int
tinta_rgb_convert (tinta_rgb_converter *conv, const AVFrame *src, uint8_t *rgb,
                   int dst_w, int dst_h, const char *path, tinta_error *err)
{
  int full = frame_is_full_range (src);
  int space = src->colorspace;

  if (!tinta_pixfmt_supported ((enum AVPixelFormat) src->format))
    {
      const char *name = av_get_pix_fmt_name ((enum AVPixelFormat) src->format);
      return tinta_fail (err, TINTA_ERR_UNSUPPORTED_PIXFMT, path,
                         "pixel format %s cannot be converted to RGB", name ? name : "(unknown)");
    }
  if (conv->sws == NULL || conv->src_w != src->width || conv->src_h != src->height
      || conv->src_fmt != src->format || conv->src_range != full
      || conv->src_space != space || conv->dst_w != dst_w || conv->dst_h != dst_h)
    {
      sws_freeContext (conv->sws);
      conv->sws = sws_getContext (src->width, src->height, (enum AVPixelFormat) src->format,
                                  dst_w, dst_h, AV_PIX_FMT_RGB24, SWS_BICUBIC,
                                  NULL, NULL, NULL);
      if (conv->sws == NULL)
        return tinta_fail (err, TINTA_ERR_UNSUPPORTED_PIXFMT, path,
                           "cannot convert %s %dx%d to RGB",
                           av_get_pix_fmt_name ((enum AVPixelFormat) src->format),
                           src->width, src->height);
      /* Unspecified matrices follow the ffmpeg program's choice (BT.601),
       * so our pixels equal what `ffmpeg -i x -pix_fmt rgb24` writes. */
      int cs = SWS_CS_DEFAULT;
      switch (space)
        {
        case AVCOL_SPC_BT709: cs = SWS_CS_ITU709; break;
        case AVCOL_SPC_FCC: cs = SWS_CS_FCC; break;
        case AVCOL_SPC_SMPTE240M: cs = SWS_CS_SMPTE240M; break;
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL: cs = SWS_CS_BT2020; break;
        default: break;
        }
      int *inv_table, *table, src_range_old, dst_range, brightness, contrast, saturation;
      if (sws_getColorspaceDetails (conv->sws, &inv_table, &src_range_old, &table, &dst_range,
                                    &brightness, &contrast, &saturation) >= 0)
        sws_setColorspaceDetails (conv->sws, sws_getCoefficients (cs), full,
                                  table, dst_range, brightness, contrast, saturation);
      conv->src_w = src->width;
      conv->src_h = src->height;
      conv->src_fmt = src->format;
      conv->src_range = full;
      conv->src_space = space;
      conv->dst_w = dst_w;
      conv->dst_h = dst_h;
    }
  uint8_t *dst_data[4] = { rgb, NULL, NULL, NULL };
  int dst_stride[4] = { 3 * dst_w, 0, 0, 0 };
  int h = sws_scale (conv->sws, (const uint8_t *const *) src->data, src->linesize, 0,
                     src->height, dst_data, dst_stride);
  if (h != dst_h)
    return tinta_fail (err, TINTA_ERR_DECODE, path, "pixel conversion failed");
  return TINTA_OK;
}

void
tinta_frame_finish_from_rgb (tinta_frame *frame, int has_color)
{
  frame->has_color = has_color;
  if (frame->rgb != NULL && frame->L != NULL)
    tinta_frame_rgb_to_lab (frame);
}
