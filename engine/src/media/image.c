/* Still images: decoding one picture (image-sequence frames, keyframes)
 * and writing PNGs (comparison images, previews).
 *
 * Keyframes come from paint programs, so they are often saved at another
 * size or with alpha: alpha is dropped (composited on nothing: the color
 * channels are kept as painted), a size mismatch is an error that names
 * both sizes unless the caller asked to scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include "core/fileutil.h"
#include "core/internal.h"
#include "media/avutil.h"
#include "media/media_internal.h"
#include "tinta/media.h"

int
tinta_decode_still (const char *path, AVFrame **out, tinta_error *err)
{
  AVFormatContext *fmt = NULL;
  AVCodecContext *dec = NULL;
  AVPacket *pkt = NULL;
  AVFrame *frame = NULL;
  char msg[128];
  int status = TINTA_OK, r, stream = -1;
  int is_dir = 0;

  *out = NULL;
  tinta_av_init ();
  status = tinta_check_input (path, &is_dir, NULL, err);
  if (status < 0)
    return status;
  if (is_dir)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "is a folder, not an image");
  r = avformat_open_input (&fmt, path, NULL, NULL);
  if (r < 0)
    return tinta_fail (err, tinta_status_from_averror (r, TINTA_ERR_INVALID_DATA), path,
                       "not an image FFmpeg can read (%s)", tinta_av_err_str (r, msg, sizeof msg));
  if (fmt->probe_score < AVPROBE_SCORE_MAX / 4)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "content not recognized as an image");
      goto out;
    }
  for (unsigned i = 0; i < fmt->nb_streams; i++)
    if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
      {
        stream = (int) i;
        break;
      }
  if (stream < 0)
    {
      status = tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "no picture in this file");
      goto out;
    }
  const AVCodecParameters *par = fmt->streams[stream]->codecpar;
  const AVCodec *codec = avcodec_find_decoder (par->codec_id);
  if (codec == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "no decoder for %s images",
                           avcodec_get_name (par->codec_id));
      goto out;
    }
  dec = avcodec_alloc_context3 (codec);
  pkt = av_packet_alloc ();
  frame = av_frame_alloc ();
  if (dec == NULL || pkt == NULL || frame == NULL)
    {
      status = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  avcodec_parameters_to_context (dec, par);
  dec->thread_count = 1;   /* one picture: threads only add latency */
  r = avcodec_open2 (dec, codec, NULL);
  if (r < 0)
    {
      status = tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "cannot open the %s decoder",
                           codec->name);
      goto out;
    }
  for (;;)
    {
      r = av_read_frame (fmt, pkt);
      if (r < 0)
        {
          /* EOF: drain the decoder. */
          avcodec_send_packet (dec, NULL);
        }
      else if (pkt->stream_index != stream)
        {
          av_packet_unref (pkt);
          continue;
        }
      else
        {
          int s = avcodec_send_packet (dec, pkt);
          av_packet_unref (pkt);
          if (s < 0 && s != AVERROR (EAGAIN))
            {
              status = tinta_fail (err, s == AVERROR_INVALIDDATA ? TINTA_ERR_INVALID_DATA
                                                                 : TINTA_ERR_DECODE,
                                   path, "image data is damaged (%s)",
                                   tinta_av_err_str (s, msg, sizeof msg));
              goto out;
            }
        }
      int g = avcodec_receive_frame (dec, frame);
      if (g == 0)
        break;
      if (g == AVERROR (EAGAIN) && r >= 0)
        continue;
      status = tinta_fail (err, r == AVERROR_EOF ? TINTA_ERR_TRUNCATED : TINTA_ERR_INVALID_DATA,
                           path, "no picture could be decoded (%s)",
                           tinta_av_err_str (g, msg, sizeof msg));
      goto out;
    }
  if (frame->width < 1 || frame->height < 1 || frame->width > TINTA_MAX_DIMENSION
      || frame->height > TINTA_MAX_DIMENSION)
    {
      status = tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "%dx%d is beyond %d pixels per side",
                           frame->width, frame->height, TINTA_MAX_DIMENSION);
      goto out;
    }
  *out = frame;
  frame = NULL;
out:
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avcodec_free_context (&dec);
  avformat_close_input (&fmt);
  return status;
}

static int
frame_from_av (const char *path, const AVFrame *av, int w, int h, tinta_frame **out,
               tinta_error *err)
{
  tinta_rgb_converter conv = { 0 };
  tinta_frame *f = tinta_frame_new (w, h, TINTA_FRAME_LAB | TINTA_FRAME_RGB);
  if (f == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory for a %dx%d image", w, h);
  int st = tinta_rgb_convert (&conv, av, f->rgb, w, h, path, err);
  tinta_rgb_converter_clear (&conv);
  if (st < 0)
    {
      tinta_frame_free (f);
      return st;
    }
  tinta_frame_finish_from_rgb (f, !tinta_pixfmt_is_gray ((enum AVPixelFormat) av->format));
  *out = f;
  return TINTA_OK;
}

int
tinta_image_load_any (const char *path, tinta_frame **out, tinta_error *err)
{
  AVFrame *av = NULL;
  *out = NULL;
  int st = tinta_decode_still (path, &av, err);
  if (st < 0)
    return st;
  st = frame_from_av (path, av, av->width, av->height, out, err);
  av_frame_free (&av);
  return st;
}

int
tinta_image_load (const char *path, int width, int height, tinta_fit fit,
                  tinta_frame **out, int *scaled, tinta_error *err)
{
  AVFrame *av = NULL;
  *out = NULL;
  if (scaled)
    *scaled = 0;
  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path, "requested size %dx%d is out of range",
                       width, height);
  int st = tinta_decode_still (path, &av, err);
  if (st < 0)
    return st;
  if (av->width != width || av->height != height)
    {
      if (fit != TINTA_FIT_SCALE)
        {
          st = tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, path,
                           "keyframe is %dx%d but the clip is %dx%d",
                           av->width, av->height, width, height);
          av_frame_free (&av);
          return st;
        }
      if (scaled)
        *scaled = 1;
    }
  st = frame_from_av (path, av, width, height, out, err);
  av_frame_free (&av);
  return st;
}

int
tinta_image_save_png (const char *path, const uint8_t *rgb, int width, int height,
                      tinta_error *err)
{
  const AVCodec *codec;
  AVCodecContext *enc = NULL;
  AVFrame *frame = NULL;
  AVPacket *pkt = NULL;
  int st = TINTA_OK, r;

  tinta_av_init ();
  if (width < 1 || height < 1 || width > TINTA_MAX_DIMENSION || height > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, path, "image size %dx%d is out of range",
                       width, height);
  codec = avcodec_find_encoder (AV_CODEC_ID_PNG);
  if (codec == NULL)
    return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, path, "no PNG encoder in this FFmpeg");
  enc = avcodec_alloc_context3 (codec);
  frame = av_frame_alloc ();
  pkt = av_packet_alloc ();
  if (enc == NULL || frame == NULL || pkt == NULL)
    {
      st = tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
      goto out;
    }
  enc->width = width;
  enc->height = height;
  enc->pix_fmt = AV_PIX_FMT_RGB24;
  enc->time_base = (AVRational) { 1, 1 };
  if (avcodec_open2 (enc, codec, NULL) < 0)
    {
      st = tinta_fail (err, TINTA_ERR_ENCODE, path, "cannot open the PNG encoder");
      goto out;
    }
  frame->format = AV_PIX_FMT_RGB24;
  frame->width = width;
  frame->height = height;
  /* Wrap the caller's buffer: no copy. */
  frame->data[0] = (uint8_t *) rgb;
  frame->linesize[0] = 3 * width;
  r = avcodec_send_frame (enc, frame);
  if (r >= 0)
    r = avcodec_send_frame (enc, NULL);
  if (r >= 0)
    r = avcodec_receive_packet (enc, pkt);
  if (r < 0)
    {
      st = tinta_fail (err, TINTA_ERR_ENCODE, path, "PNG encoding failed");
      goto out;
    }
  st = tinta_write_file_atomic (path, pkt->data, (size_t) pkt->size, err);
out:
  av_packet_free (&pkt);
  av_frame_free (&frame);
  avcodec_free_context (&enc);
  return st;
}
