/* Export: encodes the engine's 8-bit sRGB frames into the deliverables of
 * tinta/export.h.  Output goes to a hidden temporary beside the target,
 * fsynced and renamed by tinta_exporter_finish (core/fileutil.h), so a
 * crash, a full disk or a cancel never leaves half a file under the user's
 * name nor destroys the previous one.  Pixel formats: ProRes 4444 as
 * yuv444p10le, because restorers grade the master and 4:4:4 keeps the
 * colorization's chroma at full resolution; FFV1 v3 as RGB, bit-exact
 * (FFmpeg 5.1's FFV1 takes 8-bit RGB only as packed bgr0, which it codes as
 * planar RGB), intra-only with slice CRCs so every frame stands alone and
 * damage is detected; H.264 as yuv420p, what every player decodes, hence
 * even sizes only: 4:2:0 can neither code nor crop one odd column, and
 * padding would change the size a conform expects, so odd sizes are refused
 * (ProRes, FFV1 and PNG take any size); PNG as rgb24, exact.  YUV is BT.709
 * limited range, converted with swscale's BT.709 table and tagged so (its
 * default table is BT.601: every player would shift the hues).  Frame i has
 * pts i in time base fps_den/fps_num, so the output has exactly the frames
 * and rate given.  Statuses: impossible values (size 0, fps <= 0, odd
 * H.264 size) are INVALID_ARGUMENT, well-formed numbers beyond what we
 * support (crf 99, 5000 fps) OUT_OF_RANGE, sizes above TINTA_MAX_DIMENSION
 * TOO_LARGE; encoder failures ENCODE, write failures IO. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include "core/fileutil.h"
#include "core/internal.h"
#include "media/avutil.h"
#include "tinta/export.h"

/* Playback rates end at a few hundred frames per second; beyond these
 * bounds a "rate" is a unit mistake (a duration, a bitrate), and below
 * MIN_FPS_INV frame durations overflow some containers' 32-bit fields. */
#define MAX_FPS 1000
#define MIN_FPS_INV 100
#define MAX_THREADS 1024

typedef struct {
  const char         *name;
  const char         *extension;
  const char         *encoder;
  const char         *muxer;      /* NULL: one PNG file per frame */
  enum AVPixelFormat  pix_fmt;
} format_info;

/* Indexed by tinta_format. */
static const format_info formats[TINTA_FORMAT_COUNT] = {
  { "prores", ".mov", "prores_ks", "mov",      AV_PIX_FMT_YUV444P10LE },
  { "ffv1",   ".mkv", "ffv1",      "matroska", AV_PIX_FMT_BGR0 },
  { "h264",   ".mp4", "libx264",   "mp4",      AV_PIX_FMT_YUV420P },
  { "png",    "",     "png",       NULL,       AV_PIX_FMT_RGB24 },
};

struct tinta_exporter
{
  tinta_export_params params;
  const format_info  *info;
  char                final_path[4096];
  char                tmp_path[4352];
  int                 tmp_created;
  int                 finished;
  int                 failed;        /* status of an earlier failure, or 0 */
  long long           frames_in;
  long long           packets_out;
  AVCodecContext     *enc;
  AVFormatContext    *mux;           /* NULL for PNG */
  AVStream           *stream;
  AVFrame            *frame;
  AVFrame            *staging;       /* padded copy of the RGB for swscale */
  AVPacket           *pkt;
  struct SwsContext  *sws;           /* NULL when no YUV conversion */
};

int
tinta_format_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i < TINTA_FORMAT_COUNT; i++)
    if (strcasecmp (name, formats[i].name) == 0)
      return i;
  return -1;
}

const char *
tinta_format_name (tinta_format format)
{
  if ((int) format < 0 || format >= TINTA_FORMAT_COUNT)
    return "unknown";
  return formats[format].name;
}

const char *
tinta_format_extension (tinta_format format)
{
  if ((int) format < 0 || format >= TINTA_FORMAT_COUNT)
    return "";
  return formats[format].extension;
}

void
tinta_export_params_init (tinta_export_params *params)
{
  if (params == NULL)
    return;
  memset (params, 0, sizeof *params);
  /* The master restorers ask for; H.264 is the viewing copy. */
  params->format = TINTA_FORMAT_PRORES;
  params->fps_num = 24;
  params->fps_den = 1;
  params->crf = 18;
  params->threads = 0;
}

static int
validate_params (const tinta_export_params *p, const char *path, tinta_error *err)
{
  if ((int) p->format < 0 || p->format >= TINTA_FORMAT_COUNT)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path,
                       "unknown export format %d", (int) p->format);
  if (p->width < 1 || p->height < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path,
                       "frame size %dx%d is empty", p->width, p->height);
  if (p->width > TINTA_MAX_DIMENSION || p->height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path,
                       "frame size %dx%d exceeds the limit of %d pixels a side",
                       p->width, p->height, TINTA_MAX_DIMENSION);
  if (p->fps_num <= 0 || p->fps_den <= 0)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path,
                       "frame rate %d/%d is not positive", p->fps_num, p->fps_den);
  if (p->fps_num > (long long) MAX_FPS * p->fps_den
      || (long long) p->fps_num * MIN_FPS_INV < p->fps_den)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path,
                       "frame rate %d/%d is outside 1/%d..%d frames per second",
                       p->fps_num, p->fps_den, MIN_FPS_INV, MAX_FPS);
  if (p->threads < 0)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path,
                       "thread count %d is negative", p->threads);
  if (p->threads > MAX_THREADS)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path,
                       "thread count %d is above %d", p->threads, MAX_THREADS);
  if (p->format == TINTA_FORMAT_H264)
    {
      if (p->crf < 0 || p->crf > 51)
        return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path,
                           "H.264 quality (CRF) %d is outside 0..51", p->crf);
      if (p->width % 2 != 0 || p->height % 2 != 0)
        return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path,
                           "H.264 (4:2:0) needs an even width and height, not %dx%d; "
                           "export ProRes, FFV1 or PNG, or crop one pixel",
                           p->width, p->height);
    }
  return TINTA_OK;
}

static int
encoder_status (int averr)
{
  return averr == AVERROR (ENOMEM) ? TINTA_ERR_NO_MEMORY : TINTA_ERR_ENCODE;
}

/* The shared mapping is written for reading (INVALID_DATA, TRUNCATED...);
 * a failed write is an I/O error unless memory or permissions ran out. */
static int
write_status (int averr)
{
  int st = tinta_status_from_averror (averr, TINTA_ERR_IO);
  return (st == TINTA_ERR_NO_MEMORY || st == TINTA_ERR_UNWRITABLE) ? st : TINTA_ERR_IO;
}

static int
set_option (tinta_exporter *x, const char *key, const char *value, tinta_error *err)
{
  int ret = av_opt_set (x->enc->priv_data, key, value, 0);
  if (ret < 0)
    {
      char why[128];
      return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, x->final_path,
                         "encoder %s does not take %s=%s: %s", x->info->encoder, key,
                         value, tinta_av_err_str (ret, why, sizeof why));
    }
  return TINTA_OK;
}

/* Per-format encoder options; see the header comment for the reasons. */
static int
configure_encoder (tinta_exporter *x, tinta_error *err)
{
  AVCodecContext *enc = x->enc;
  char crf[16];
  int st = TINTA_OK;

  enc->width = x->params.width;
  enc->height = x->params.height;
  enc->pix_fmt = x->info->pix_fmt;
  enc->time_base = (AVRational) { x->params.fps_den, x->params.fps_num };
  enc->framerate = (AVRational) { x->params.fps_num, x->params.fps_den };
  enc->sample_aspect_ratio = (AVRational) { 1, 1 };
  enc->thread_count = x->params.threads;
  enc->color_primaries = AVCOL_PRI_BT709;

  switch (x->params.format)
    {
    case TINTA_FORMAT_PRORES:
      enc->color_trc = AVCOL_TRC_BT709;
      enc->colorspace = AVCOL_SPC_BT709;
      enc->color_range = AVCOL_RANGE_MPEG;
      st = set_option (x, "profile", "4444", err);
      break;
    case TINTA_FORMAT_FFV1:
      /* Our bytes are sRGB-encoded RGB; say so rather than pretend YUV. */
      enc->color_trc = AVCOL_TRC_IEC61966_2_1;
      enc->colorspace = AVCOL_SPC_RGB;
      enc->color_range = AVCOL_RANGE_JPEG;
      enc->level = 3;
      enc->gop_size = 1;
      st = set_option (x, "slicecrc", "1", err);
      /* The range coder with a per-file state table ("-coder 1" of the
       * archival guides): 1.5% smaller than the default table, as fast. */
      if (st == TINTA_OK)
        st = set_option (x, "coder", "range_tab", err);
      break;
    case TINTA_FORMAT_H264:
      enc->color_trc = AVCOL_TRC_BT709;
      enc->colorspace = AVCOL_SPC_BT709;
      enc->color_range = AVCOL_RANGE_MPEG;
      /* swscale's 4:2:0 chroma sits between the luma samples (MPEG-1
       * style, its default); say so, rather than let decoders assume
       * H.264's unsignalled "left" and shift it by half a pixel. */
      enc->chroma_sample_location = AVCHROMA_LOC_CENTER;
      snprintf (crf, sizeof crf, "%d", x->params.crf);
      st = set_option (x, "preset", "medium", err);
      if (st == TINTA_OK)
        st = set_option (x, "crf", crf, err);
      break;
    case TINTA_FORMAT_PNG:
      /* The PNG encoder writes an sRGB chunk for this transfer. */
      enc->color_trc = AVCOL_TRC_IEC61966_2_1;
      enc->colorspace = AVCOL_SPC_RGB;
      enc->color_range = AVCOL_RANGE_JPEG;
      /* Paeth prediction: 43% smaller than none on DAVIS frames; per-row
       * "mixed" is as small but 2.3 times slower. */
      st = set_option (x, "pred", "paeth", err);
      break;
    case TINTA_FORMAT_COUNT:
    default:
      return tinta_fail (err, TINTA_ERR_INTERNAL, x->final_path, "unhandled format");
    }
  if (st == TINTA_OK && x->mux != NULL && (x->mux->oformat->flags & AVFMT_GLOBALHEADER))
    enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  return st;
}

/* Encoders and swscale read a little past the picture (alignment, edge
 * macroblocks) and discard it; zeroed padding keeps their output, and so
 * the file, the same from run to run (and valgrind quiet). */
static void
zero_buffers (AVFrame *f)
{
  for (int i = 0; i < AV_NUM_DATA_POINTERS && f->buf[i] != NULL; i++)
    memset (f->buf[i]->data, 0, f->buf[i]->size);
}

static int
create_converter (tinta_exporter *x, tinta_error *err)
{
  int w = x->params.width, h = x->params.height;
  const int *bt709 = sws_getCoefficients (SWS_CS_ITU709);

  if (x->info->pix_fmt == AV_PIX_FMT_BGR0 || x->info->pix_fmt == AV_PIX_FMT_RGB24)
    return TINTA_OK;   /* plain copies, see fill_frame */
  /* swscale's SIMD reads up to 16 bytes past the end of a row (valgrind
   * saw it on the last one): FFmpeg buffers are padded, the caller's are
   * not, so it reads from a padded copy. */
  x->staging = av_frame_alloc ();
  if (x->staging == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, x->final_path, "out of memory");
  x->staging->format = AV_PIX_FMT_RGB24;
  x->staging->width = w;
  x->staging->height = h;
  if (av_frame_get_buffer (x->staging, 0) < 0)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, x->final_path, "out of memory");
  zero_buffers (x->staging);
  /* Same-size conversion: the filter only shapes 4:2:0 chroma.  Bicubic
   * is what the `ffmpeg` program uses (on a test clip its PSNR equals ours,
   * and SWS_FULL_CHR_H_INP gained nothing).  ACCURATE_RND avoids a rounding
   * bias of up to one code value. */
  x->sws = sws_getContext (w, h, AV_PIX_FMT_RGB24, w, h, x->info->pix_fmt,
                           SWS_BICUBIC | SWS_ACCURATE_RND, NULL, NULL, NULL);
  if (x->sws == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, x->final_path,
                       "cannot set up the RGB to %s conversion",
                       av_get_pix_fmt_name (x->info->pix_fmt));
  /* For RGB input only the destination table and range count: BT.709,
   * limited (16..235), matching the tags set on the encoder. */
  if (sws_setColorspaceDetails (x->sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16) < 0)
    return tinta_fail (err, TINTA_ERR_INTERNAL, x->final_path,
                       "swscale refused the BT.709 conversion");
  return TINTA_OK;
}

static int
open_container (tinta_exporter *x, tinta_error *err)
{
  AVDictionary *opts = NULL;
  char why[128];
  int ret;

  x->stream = avformat_new_stream (x->mux, NULL);
  if (x->stream == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, x->final_path, "out of memory");
  ret = avcodec_parameters_from_context (x->stream->codecpar, x->enc);
  if (ret < 0)
    return tinta_fail (err, encoder_status (ret), x->final_path,
                       "cannot describe the stream: %s", tinta_av_err_str (ret, why, sizeof why));
  x->stream->time_base = x->enc->time_base;
  x->stream->avg_frame_rate = x->enc->framerate;
  x->stream->r_frame_rate = x->enc->framerate;

  ret = avio_open (&x->mux->pb, x->tmp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, x->final_path,
                       "cannot create the output: %s", tinta_av_err_str (ret, why, sizeof why));
  x->tmp_created = 1;

  /* The index in front lets browsers and players start before the end
   * arrives; it costs one rewrite of the file at finish.  ProRes masters
   * are not streamed, so their (large) files are not rewritten. */
  if (x->params.format == TINTA_FORMAT_H264)
    av_dict_set (&opts, "movflags", "+faststart", 0);
  ret = avformat_write_header (x->mux, &opts);
  av_dict_free (&opts);
  if (ret < 0)
    return tinta_fail (err, write_status (ret), x->final_path,
                       "cannot write the %s header: %s", x->info->muxer,
                       tinta_av_err_str (ret, why, sizeof why));
  return TINTA_OK;
}

/* 1 if `name` is one of ours: digits then ".png". */
static int
is_frame_name (const char *name)
{
  size_t digits = strspn (name, "0123456789");
  return digits > 0 && strcmp (name + digits, ".png") == 0;
}

/* A new PNG sequence replaces the old folder as a whole, so that folder
 * may hold nothing but numbered PNG files: pointing the export at
 * ~/Videos must not delete the user's videos. */
static int
check_png_folder (const char *path, tinta_error *err)
{
  char entry[4400];
  struct dirent *de;
  struct stat sb;
  DIR *d;
  int st = TINTA_OK;

  if (stat (path, &sb) != 0)
    return TINTA_OK;   /* a new folder */
  if (!S_ISDIR (sb.st_mode))
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, path,
                       "a file (not a folder) already exists under that name");
  d = opendir (path);
  if (d == NULL)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, path, "cannot read the existing folder: %s",
                       strerror (errno));
  while (st == TINTA_OK && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      snprintf (entry, sizeof entry, "%s/%s", path, de->d_name);
      if (!is_frame_name (de->d_name) || lstat (entry, &sb) != 0 || !S_ISREG (sb.st_mode))
        st = tinta_fail (err, TINTA_ERR_UNWRITABLE, path,
                         "the folder holds more than a PNG sequence (%s); choose an empty "
                         "or new folder", de->d_name);
    }
  closedir (d);
  return st;
}

int
tinta_exporter_open (const char *path, const tinta_export_params *params,
                     tinta_exporter **out, tinta_error *err)
{
  tinta_exporter *x = NULL;
  const AVCodec *codec;
  char why[128];
  int ret, st;

  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no place for the exporter");
  *out = NULL;
  if (path == NULL || path[0] == '\0' || params == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path ? path : "",
                       "no output path or parameters given");
  if (strlen (path) >= sizeof x->final_path)
    return tinta_fail (err, TINTA_ERR_UNWRITABLE, path, "output path is too long");
  st = validate_params (params, path, err);
  if (st < 0)
    return st;
  tinta_av_init ();

  codec = avcodec_find_encoder_by_name (formats[params->format].encoder);
  if (codec == NULL)
    return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path,
                       "this FFmpeg has no %s encoder", formats[params->format].encoder);
  if (params->format == TINTA_FORMAT_PNG)
    {
      st = check_png_folder (path, err);
      if (st < 0)
        return st;
    }

  x = calloc (1, sizeof *x);
  if (x == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
  x->params = *params;
  x->info = &formats[params->format];
  snprintf (x->final_path, sizeof x->final_path, "%s", path);
  /* "/" asks for a temporary folder name (PNG); files keep their usual
   * extension so a leftover after a crash is recognisable. */
  st = tinta_temp_path_for (path, x->info->muxer ? x->info->extension : "/",
                            x->tmp_path, sizeof x->tmp_path, err);
  if (st < 0)
    goto fail;

  if (x->info->muxer != NULL)
    {
      /* The temporary name's extension says nothing reliable: name the
       * container. */
      ret = avformat_alloc_output_context2 (&x->mux, NULL, x->info->muxer, x->tmp_path);
      if (ret < 0 || x->mux == NULL)
        {
          st = tinta_fail (err, ret == AVERROR (ENOMEM) ? TINTA_ERR_NO_MEMORY
                                                        : TINTA_ERR_UNSUPPORTED_CODEC,
                           path, "this FFmpeg cannot write %s files", x->info->muxer);
          goto fail;
        }
    }

  x->enc = avcodec_alloc_context3 (codec);
  x->frame = av_frame_alloc ();
  x->pkt = av_packet_alloc ();
  if (x->enc == NULL || x->frame == NULL || x->pkt == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto fail;
    }
  st = configure_encoder (x, err);
  if (st < 0)
    goto fail;
  ret = avcodec_open2 (x->enc, codec, NULL);
  if (ret < 0)
    {
      st = tinta_fail (err, encoder_status (ret), path,
                       "the %s encoder refused %dx%d at %d/%d fps: %s", x->info->encoder,
                       params->width, params->height, params->fps_num, params->fps_den,
                       tinta_av_err_str (ret, why, sizeof why));
      goto fail;
    }

  x->frame->format = x->enc->pix_fmt;
  x->frame->width = x->enc->width;
  x->frame->height = x->enc->height;
  x->frame->color_primaries = x->enc->color_primaries;
  x->frame->color_trc = x->enc->color_trc;
  x->frame->colorspace = x->enc->colorspace;
  x->frame->color_range = x->enc->color_range;
  x->frame->chroma_location = x->enc->chroma_sample_location;
  x->frame->sample_aspect_ratio = x->enc->sample_aspect_ratio;
  ret = av_frame_get_buffer (x->frame, 0);
  if (ret < 0)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "cannot allocate a %dx%d frame",
                       params->width, params->height);
      goto fail;
    }
  zero_buffers (x->frame);
  st = create_converter (x, err);
  if (st < 0)
    goto fail;

  if (x->mux != NULL)
    st = open_container (x, err);
  else if (mkdir (x->tmp_path, 0777) != 0)
    st = tinta_fail (err, TINTA_ERR_UNWRITABLE, path, "cannot create a folder beside it: %s",
                     strerror (errno));
  else
    x->tmp_created = 1;
  if (st < 0)
    goto fail;

  *out = x;
  return TINTA_OK;

fail:
  tinta_exporter_free (x);
  return st;
}

static int
write_all (int fd, const uint8_t *data, size_t size)
{
  while (size > 0)
    {
      ssize_t w = write (fd, data, size);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      data += w;
      size -= (size_t) w;
    }
  return 0;
}

/* A PNG packet is a whole file: number it by arrival (encoders return
 * packets in order). */
static int
write_png_file (tinta_exporter *x, tinta_error *err)
{
  char name[4400];
  int fd, e;

  snprintf (name, sizeof name, "%s/%05lld.png", x->tmp_path, x->packets_out);
  fd = open (name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0)
    return tinta_fail (err, TINTA_ERR_IO, x->final_path, "cannot create frame %lld: %s",
                       x->packets_out, strerror (errno));
  if (write_all (fd, x->pkt->data, (size_t) x->pkt->size) != 0)
    {
      e = errno;
      close (fd);
      return tinta_fail (err, TINTA_ERR_IO, x->final_path, "cannot write frame %lld: %s",
                         x->packets_out, strerror (e));
    }
  if (close (fd) != 0)
    return tinta_fail (err, TINTA_ERR_IO, x->final_path, "cannot write frame %lld: %s",
                       x->packets_out, strerror (errno));
  return TINTA_OK;
}

static int
write_packet (tinta_exporter *x, tinta_error *err)
{
  char why[128];
  int ret;

  if (x->mux == NULL)
    return write_png_file (x, err);
  /* Every packet lasts one frame; encoders do not all say so, and the
   * last frame's duration fixes the stream's length in MP4/MOV. */
  if (x->pkt->duration <= 0)
    x->pkt->duration = 1;
  av_packet_rescale_ts (x->pkt, x->enc->time_base, x->stream->time_base);
  x->pkt->stream_index = x->stream->index;
  ret = av_interleaved_write_frame (x->mux, x->pkt);
  if (ret < 0)
    return tinta_fail (err, write_status (ret), x->final_path, "write failed: %s",
                       tinta_av_err_str (ret, why, sizeof why));
  return TINTA_OK;
}

/* The send/receive loop: frame NULL flushes.  EAGAIN (wants more input)
 * and EOF (fully flushed) end the draining, they are not failures. */
static int
encode (tinta_exporter *x, const AVFrame *frame, tinta_error *err)
{
  char why[128];
  int ret = avcodec_send_frame (x->enc, frame);

  if (ret < 0)
    return tinta_fail (err, encoder_status (ret), x->final_path, "the %s encoder failed: %s",
                       x->info->encoder, tinta_av_err_str (ret, why, sizeof why));
  for (;;)
    {
      int st;

      ret = avcodec_receive_packet (x->enc, x->pkt);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TINTA_OK;
      if (ret < 0)
        return tinta_fail (err, encoder_status (ret), x->final_path,
                           "the %s encoder failed: %s", x->info->encoder,
                           tinta_av_err_str (ret, why, sizeof why));
      st = write_packet (x, err);
      av_packet_unref (x->pkt);
      if (st < 0)
        return st;
      x->packets_out++;
    }
}

static int
fill_frame (tinta_exporter *x, const uint8_t *rgb, tinta_error *err)
{
  AVFrame *f = x->frame;
  int w = x->params.width, h = x->params.height;
  /* The encoder may still hold a reference to the previous picture (frame
   * threads); writing into it would change what it encodes. */
  int ret = av_frame_make_writable (f);

  if (ret < 0)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, x->final_path, "out of memory");
  if (x->sws != NULL)
    {
      av_image_copy_plane (x->staging->data[0], x->staging->linesize[0], rgb, 3 * w, 3 * w, h);
      if (sws_scale (x->sws, (const uint8_t *const *) x->staging->data, x->staging->linesize,
                     0, h, f->data, f->linesize) != h)
        return tinta_fail (err, TINTA_ERR_INTERNAL, x->final_path, "pixel conversion failed");
    }
  else if (f->format == AV_PIX_FMT_BGR0)
    {
      for (int y = 0; y < h; y++)
        {
          const uint8_t *s = rgb + (size_t) y * 3 * w;
          uint8_t *d = f->data[0] + (size_t) y * f->linesize[0];
          for (int i = 0; i < w; i++, s += 3, d += 4)
            {
              d[0] = s[2];
              d[1] = s[1];
              d[2] = s[0];
              d[3] = 0;
            }
        }
    }
  else
    av_image_copy_plane (f->data[0], f->linesize[0], rgb, 3 * w, 3 * w, h);
  return TINTA_OK;
}

int
tinta_exporter_write (tinta_exporter *x, const uint8_t *rgb, tinta_error *err)
{
  int st;

  if (x == NULL || rgb == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, x ? x->final_path : "",
                       "no exporter or pixels given");
  if (x->finished)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, x->final_path,
                       "the export is already finished");
  if (x->failed)
    return tinta_fail (err, x->failed, x->final_path, "the export already failed");
  st = fill_frame (x, rgb, err);
  if (st == TINTA_OK)
    {
      x->frame->pts = x->frames_in;
      st = encode (x, x->frame, err);
    }
  if (st < 0)
    x->failed = st;
  else
    x->frames_in++;
  return st;
}

static int
close_container (tinta_exporter *x, tinta_error *err)
{
  char why[128];
  int ret = av_write_trailer (x->mux);

  if (ret < 0)
    return tinta_fail (err, write_status (ret), x->final_path, "cannot finish the file: %s",
                       tinta_av_err_str (ret, why, sizeof why));
  /* Buffered bytes that did not reach the disk only show up here. */
  avio_flush (x->mux->pb);
  ret = x->mux->pb->error;
  if (ret >= 0)
    ret = avio_closep (&x->mux->pb);
  if (ret < 0)
    return tinta_fail (err, write_status (ret), x->final_path, "write failed: %s",
                       tinta_av_err_str (ret, why, sizeof why));
  return TINTA_OK;
}

int
tinta_exporter_finish (tinta_exporter *x, tinta_error *err)
{
  int st;

  if (x == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, "", "no exporter given");
  if (x->finished)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, x->final_path,
                       "the export is already finished");
  if (x->failed)
    return tinta_fail (err, x->failed, x->final_path, "the export already failed");
  /* An empty deliverable would replace a good previous file with nothing. */
  if (x->frames_in == 0)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, x->final_path,
                       "no frames were written");
  st = encode (x, NULL, err);
  if (st == TINTA_OK && x->packets_out != x->frames_in)
    st = tinta_fail (err, TINTA_ERR_ENCODE, x->final_path,
                     "the %s encoder returned %lld of %lld frames", x->info->encoder,
                     x->packets_out, x->frames_in);
  if (st == TINTA_OK && x->mux != NULL)
    st = close_container (x, err);
  if (st == TINTA_OK)
    st = tinta_commit_path (x->tmp_path, x->final_path, err);
  if (st < 0)
    {
      x->failed = st;
      return st;
    }
  x->tmp_created = 0;
  x->finished = 1;
  return TINTA_OK;
}

void
tinta_exporter_free (tinta_exporter *x)
{
  if (x == NULL)
    return;
  avcodec_free_context (&x->enc);
  if (x->mux != NULL)
    {
      if (!(x->mux->oformat->flags & AVFMT_NOFILE))
        avio_closep (&x->mux->pb);
      avformat_free_context (x->mux);
    }
  if (x->tmp_created)
    tinta_remove_path (x->tmp_path);
  sws_freeContext (x->sws);
  av_frame_free (&x->frame);
  av_frame_free (&x->staging);
  av_packet_free (&x->pkt);
  free (x);
}

int
tinta_export_frames (const char *path, const tinta_export_params *params,
                     long long count, tinta_frame_source_fn source,
                     void *source_user, tinta_progress_fn progress,
                     tinta_abort_fn abort_cb, void *cb_user,
                     tinta_error *err)
{
  tinta_exporter *x = NULL;
  tinta_frame *frame = NULL;
  int st;

  if (count < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path ? path : "",
                       "nothing to export (%lld frames)", count);
  if (source == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path ? path : "",
                       "no frame source given");
  st = tinta_exporter_open (path, params, &x, err);
  if (st < 0)
    return st;
  frame = tinta_frame_new (params->width, params->height, TINTA_FRAME_RGB);
  if (frame == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "cannot allocate a %dx%d frame",
                       params->width, params->height);
      goto done;
    }

  for (long long i = 0; i < count; i++)
    {
      if (abort_cb != NULL && abort_cb (cb_user))
        {
          st = TINTA_CANCELLED;
          goto done;
        }
      st = source (source_user, i, frame, err);
      if (st > 0)
        st = TINTA_CANCELLED;   /* the only positive status */
      if (st != TINTA_OK)
        {
          /* A source that reports failure without saying why still gets a
           * sentence naming the frame. */
          if (st < 0 && err != NULL && err->status != st)
            tinta_fail (err, st, path, "frame %lld could not be produced", i);
          goto done;
        }
      st = tinta_exporter_write (x, frame->rgb, err);
      if (st < 0)
        goto done;
      if (progress != NULL)
        progress (cb_user, i + 1, count);
    }
  /* Flushing and fsyncing take a moment; a stop asked meanwhile wins. */
  if (abort_cb != NULL && abort_cb (cb_user))
    st = TINTA_CANCELLED;
  else
    st = tinta_exporter_finish (x, err);

done:
  if (st == TINTA_CANCELLED)
    tinta_fail (err, TINTA_CANCELLED, path, "export cancelled");
  tinta_frame_free (frame);
  tinta_exporter_free (x);
  return st;
}
