/* Clips: opening, indexing and frame-accurate decoding.
 *
 * Index: opening demuxes every packet once (no decoding; hundreds of
 * thousands of packets a second) and records its pts, dts and key flag in
 * decode order.  Sorting the pts gives presentation order, so frame k is
 * "the picture whose pts is the k-th smallest", which is exactly what
 * sequential decoding returns as its k-th output.  To read frame k we pick
 * the last keyframe, in decode order, at or before k's packet whose pts is
 * not after k's pts, seek there, feed packets from that keyframe on, and
 * keep the output whose pts equals k's: B-frames and open GOPs (leading
 * pictures that reference the previous GOP) come out right because the
 * keyframe we start from precedes every picture they depend on.
 *
 * Streams whose packets lack unique timestamps (raw elementary streams,
 * some AVI) cannot be indexed that way: they are counted by decoding once
 * at open, and read by decoding forward from the start when asked for an
 * earlier frame.  Slow to seek, but never wrong.
 *
 * Damaged input is classified once, at open, so the user hears about it
 * before any work: a file whose index points past its end is truncated; an
 * MP4/MOV that starts well but has no index (the moov box is written last)
 * is truncated too; bytes FFmpeg only half-recognizes are invalid data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include "core/fileutil.h"
#include "core/internal.h"
#include "media/avutil.h"
#include "media/media_internal.h"
#include "tinta/media.h"

typedef struct {
  int64_t pts;
  int64_t dts;
  int64_t pos;
  int     size;
  int     key;
} pkt_entry;

typedef enum {
  MODE_IMAGES,      /* folder of numbered images (or one still image) */
  MODE_INDEXED,     /* packets with unique pts: random access by seeking */
  MODE_SEQUENTIAL,  /* no usable timestamps: decode forward from the start */
} media_mode;

struct tinta_media {
  char              *path;
  tinta_media_info   info;
  media_mode         mode;
  tinta_image_seq    seq;

  AVFormatContext   *fmt;
  AVCodecContext    *dec;
  const AVCodec     *codec;
  int                stream;
  AVPacket          *pkt;
  AVFrame           *frame;
  tinta_rgb_converter conv;
  long long          file_size;

  pkt_entry         *packets;      /* decode order */
  long long          n_packets;
  int64_t           *pts_sorted;   /* presentation order, n_packets */

  /* Decoder state: the decode-order position of the next packet to feed,
   * the presentation index of the last frame output, whether EOF was sent. */
  long long          next_packet;
  long long          last_output;
  int                draining;
  long long          seeks;
  int                pending;      /* m->pkt holds the next packet already */

  AVFrame           *cached;       /* last frame handed out */
  long long          cached_index;
};

static int
cmp_i64 (const void *a, const void *b)
{
  int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
  return (x > y) - (x < y);
}

static void
media_close_av (tinta_media *m)
{
  av_frame_free (&m->frame);
  av_frame_free (&m->cached);
  av_packet_free (&m->pkt);
  avcodec_free_context (&m->dec);
  avformat_close_input (&m->fmt);
  tinta_rgb_converter_clear (&m->conv);
}

void
tinta_media_free (tinta_media *m)
{
  if (m == NULL)
    return;
  media_close_av (m);
  tinta_image_seq_clear (&m->seq);
  free (m->packets);
  free (m->pts_sorted);
  free (m->path);
  free (m);
}

const tinta_media_info *
tinta_media_get_info (const tinta_media *m)
{
  return m ? &m->info : NULL;
}

long long
tinta_media_seek_count (const tinta_media *m)
{
  return m ? m->seeks : 0;
}

static void
fill_pixfmt_info (tinta_media_info *info, const AVFrame *f, const char *codec)
{
  const char *pf = av_get_pix_fmt_name ((enum AVPixelFormat) f->format);
  snprintf (info->pixel_format, sizeof info->pixel_format, "%s", pf ? pf : "unknown");
  snprintf (info->codec, sizeof info->codec, "%s", codec);
  info->width = f->width;
  info->height = f->height;
  info->has_color = !tinta_pixfmt_is_gray ((enum AVPixelFormat) f->format);
}

static int
check_frame_size (const char *path, int w, int h, tinta_error *err)
{
  if (w < 1 || h < 1)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, path, "picture has no size");
  if (w > TINTA_MAX_DIMENSION || h > TINTA_MAX_DIMENSION)
    return tinta_fail (err, TINTA_ERR_TOO_LARGE, path, "%dx%d is beyond %d pixels per side",
                       w, h, TINTA_MAX_DIMENSION);
  return TINTA_OK;
}

/* --- image sequences ---------------------------------------------------- */

static int
open_images (tinta_media *m, tinta_error *err)
{
  char p[4608];
  AVFrame *first = NULL;
  int st = tinta_image_seq_scan (m->path, &m->seq, err);
  if (st < 0)
    return st;
  m->mode = MODE_IMAGES;
  tinta_image_seq_path (&m->seq, 0, p, sizeof p);
  st = tinta_decode_still (p, &first, err);
  if (st < 0)
    return st;
  st = check_frame_size (p, first->width, first->height, err);
  if (st == TINTA_OK && !tinta_pixfmt_supported ((enum AVPixelFormat) first->format))
    st = tinta_fail (err, TINTA_ERR_UNSUPPORTED_PIXFMT, p, "pixel format %s is not supported",
                     av_get_pix_fmt_name ((enum AVPixelFormat) first->format));
  if (st == TINTA_OK)
    {
      fill_pixfmt_info (&m->info, first, "image");
      m->info.frame_count = m->seq.count;
      m->info.fps_num = TINTA_IMAGE_SEQUENCE_FPS;
      m->info.fps_den = 1;
      m->info.is_image_sequence = 1;
      snprintf (m->info.container, sizeof m->info.container, "image sequence");
      snprintf (m->info.first_name, sizeof m->info.first_name, "%s", m->seq.names[0]);
      /* Name the codec after the first file's extension, for information. */
      const char *dot = strrchr (m->seq.names[0], '.');
      snprintf (m->info.codec, sizeof m->info.codec, "%s", dot ? dot + 1 : "image");
    }
  av_frame_free (&first);
  return st;
}

static int
read_image (tinta_media *m, long long k, tinta_frame *f, tinta_error *err)
{
  char p[4608];
  AVFrame *av = NULL;
  tinta_image_seq_path (&m->seq, k, p, sizeof p);
  int st = tinta_decode_still (p, &av, err);
  if (st < 0)
    return st;
  if (av->width != m->info.width || av->height != m->info.height)
    {
      st = tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, p, "image is %dx%d but %s is %dx%d",
                       av->width, av->height, m->seq.names[0], m->info.width, m->info.height);
      av_frame_free (&av);
      return st;
    }
  st = tinta_rgb_convert (&m->conv, av, f->rgb, f->width, f->height, p, err);
  if (st == TINTA_OK)
    tinta_frame_finish_from_rgb (f, !tinta_pixfmt_is_gray ((enum AVPixelFormat) av->format));
  av_frame_free (&av);
  return st;
}

/* --- video files ---------------------------------------------------------- */

/* MP4/MOV write their index (moov) at the end unless faststart: a file
 * cut short then starts with a valid 'ftyp' box and has no index. */
static int
looks_like_headless_mp4 (const char *path)
{
  unsigned char b[12];
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return 0;
  size_t n = fread (b, 1, sizeof b, f);
  fclose (f);
  return n == sizeof b && memcmp (b + 4, "ftyp", 4) == 0;
}

static int
open_decoder (tinta_media *m, tinta_error *err)
{
  const AVCodecParameters *par = m->fmt->streams[m->stream]->codecpar;
  m->codec = avcodec_find_decoder (par->codec_id);
  if (m->codec == NULL)
    {
      char tag[AV_FOURCC_MAX_STRING_SIZE] = "";
      av_fourcc_make_string (tag, par->codec_tag);
      return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, m->path,
                         "unsupported codec: no decoder for %s (tag %s) in this FFmpeg",
                         avcodec_get_name (par->codec_id), tag);
    }
  avcodec_free_context (&m->dec);
  m->dec = avcodec_alloc_context3 (m->codec);
  if (m->dec == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, m->path, "out of memory");
  avcodec_parameters_to_context (m->dec, par);
  m->dec->pkt_timebase = m->fmt->streams[m->stream]->time_base;
  /* Frame and slice threads: decoding is the first stage of every
   * pipeline and must keep up with playback on 2 cores. */
  m->dec->thread_count = 0;
  int r = avcodec_open2 (m->dec, m->codec, NULL);
  if (r < 0)
    {
      char msg[128];
      return tinta_fail (err, TINTA_ERR_UNSUPPORTED_CODEC, m->path, "cannot open the %s decoder (%s)",
                         m->codec->name, tinta_av_err_str (r, msg, sizeof msg));
    }
  return TINTA_OK;
}

static int
add_packet (tinta_media *m, const AVPacket *pkt, long long *cap, tinta_error *err)
{
  if (m->n_packets == *cap)
    {
      long long ncap = *cap ? *cap * 2 : 1024;
      pkt_entry *np = realloc (m->packets, (size_t) ncap * sizeof *np);
      if (np == NULL)
        return tinta_fail (err, TINTA_ERR_NO_MEMORY, m->path, "out of memory while indexing");
      m->packets = np;
      *cap = ncap;
    }
  pkt_entry *e = &m->packets[m->n_packets++];
  e->pts = pkt->pts;
  e->dts = pkt->dts;
  e->pos = pkt->pos;
  e->size = pkt->size;
  e->key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
  return TINTA_OK;
}

/* Demuxers stop quietly at a cut ("partial file", "file ended
 * prematurely"): compare what we indexed with what the header declares.
 * Frame counts (MP4/MOV sample tables) are exact; durations (Matroska,
 * MP4) get two frames of slack for rounding, are taken from the video
 * stream itself when the file has other streams (audio may run longer),
 * and are ignored when FFmpeg only estimated them from the bitrate. */
static int
check_complete (tinta_media *m, tinta_error *err)
{
  AVStream *s = m->fmt->streams[m->stream];
  if (s->nb_frames > 0 && m->n_packets < s->nb_frames)
    return tinta_fail (err, TINTA_ERR_TRUNCATED, m->path,
                       "file is truncated: it holds %lld of its %lld frames",
                       m->n_packets, (long long) s->nb_frames);
  if (m->fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE)
    return TINTA_OK;
  double declared = -1.0;
  if (s->duration > 0 && s->duration != AV_NOPTS_VALUE)
    declared = (double) s->duration * av_q2d (s->time_base);
  else if (m->fmt->nb_streams == 1 && m->fmt->duration > 0)
    declared = (double) m->fmt->duration / AV_TIME_BASE;
  if (declared <= 0.0)
    return TINTA_OK;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (long long i = 0; i < m->n_packets; i++)
    {
      int64_t t = m->packets[i].pts != AV_NOPTS_VALUE ? m->packets[i].pts : m->packets[i].dts;
      if (t == AV_NOPTS_VALUE)
        return TINTA_OK;
      lo = t < lo ? t : lo;
      hi = t > hi ? t : hi;
    }
  AVRational fr = av_guess_frame_rate (m->fmt, s, NULL);
  double frame = fr.num > 0 && fr.den > 0 ? av_q2d (av_inv_q (fr)) : 0.04;
  double held = (double) (hi - lo) * av_q2d (s->time_base) + frame;
  if (held + 2.0 * frame < declared)
    return tinta_fail (err, TINTA_ERR_TRUNCATED, m->path,
                       "file is truncated: it declares %.2f s of video but holds %.2f s",
                       declared, held);
  return TINTA_OK;
}

/* Demuxes every packet of the video stream once. */
static int
build_index (tinta_media *m, tinta_error *err)
{
  long long cap = 0;
  int r;
  char msg[128];
  AVStream *s = m->fmt->streams[m->stream];
  int reorders = m->dec->has_b_frames > 0 || (m->codec->capabilities & AV_CODEC_CAP_DELAY);

  for (;;)
    {
      r = av_read_frame (m->fmt, m->pkt);
      if (r == AVERROR_EOF)
        break;
      if (r < 0)
        {
          /* An I/O error or a container that breaks off mid-packet. */
          return tinta_fail (err, r == AVERROR (EIO) || r == AVERROR_INVALIDDATA
                                    ? TINTA_ERR_TRUNCATED : tinta_status_from_averror (r, TINTA_ERR_IO),
                             m->path, "file is truncated or damaged after %lld frames (%s)",
                             m->n_packets, tinta_av_err_str (r, msg, sizeof msg));
        }
      if (m->pkt->stream_index == m->stream && !(m->pkt->flags & AV_PKT_FLAG_DISCARD))
        {
          if (m->pkt->pos >= 0 && m->file_size > 0
              && m->pkt->pos + m->pkt->size > m->file_size)
            {
              av_packet_unref (m->pkt);
              return tinta_fail (err, TINTA_ERR_TRUNCATED, m->path,
                                 "file is truncated: frame %lld lies past its end (%lld bytes)",
                                 m->n_packets, m->file_size);
            }
          if ((m->pkt->flags & AV_PKT_FLAG_CORRUPT) && m->pkt->size == 0)
            {
              av_packet_unref (m->pkt);
              return tinta_fail (err, TINTA_ERR_TRUNCATED, m->path,
                                 "file is truncated at frame %lld", m->n_packets);
            }
          r = add_packet (m, m->pkt, &cap, err);
          if (r < 0)
            {
              av_packet_unref (m->pkt);
              return r;
            }
        }
      av_packet_unref (m->pkt);
    }
  if (m->n_packets == 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path, "the video stream has no frames");
  r = check_complete (m, err);
  if (r < 0)
    return r;

  /* Without reordering, dts is the presentation time. */
  for (long long i = 0; i < m->n_packets; i++)
    if (m->packets[i].pts == AV_NOPTS_VALUE && !reorders)
      m->packets[i].pts = m->packets[i].dts;

  m->pts_sorted = malloc ((size_t) m->n_packets * sizeof *m->pts_sorted);
  if (m->pts_sorted == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, m->path, "out of memory while indexing");
  int usable = 1;
  for (long long i = 0; i < m->n_packets; i++)
    {
      m->pts_sorted[i] = m->packets[i].pts;
      if (m->packets[i].pts == AV_NOPTS_VALUE)
        usable = 0;
    }
  qsort (m->pts_sorted, (size_t) m->n_packets, sizeof *m->pts_sorted, cmp_i64);
  for (long long i = 1; usable && i < m->n_packets; i++)
    if (m->pts_sorted[i] == m->pts_sorted[i - 1])
      usable = 0;
  if (!m->packets[0].key)
    usable = 0;   /* starts mid-GOP: only sequential decoding is defined */
  m->mode = usable ? MODE_INDEXED : MODE_SEQUENTIAL;
  (void) s;
  return TINTA_OK;
}

static int
reopen_input (tinta_media *m, tinta_error *err)
{
  char msg[128];
  avformat_close_input (&m->fmt);
  int r = avformat_open_input (&m->fmt, m->path, NULL, NULL);
  if (r >= 0)
    r = avformat_find_stream_info (m->fmt, NULL);
  if (r < 0 || m->stream >= (int) m->fmt->nb_streams)
    return tinta_fail (err, TINTA_ERR_IO, m->path, "cannot reopen the file (%s)",
                       tinta_av_err_str (r, msg, sizeof msg));
  for (unsigned i = 0; i < m->fmt->nb_streams; i++)
    if ((int) i != m->stream)
      m->fmt->streams[i]->discard = AVDISCARD_ALL;
  return TINTA_OK;
}

static int next_stream_packet (tinta_media *m);

static int
same_packet (const AVPacket *pkt, const pkt_entry *e)
{
  return pkt->pts == e->pts && pkt->dts == e->dts;
}

/* Rewinds demuxer and decoder to the first packet.  Demuxers differ in
 * what "seek to the start" means (edit lists, negative dts), so the first
 * packet read back is checked against the index, and when it is not the
 * first one the file is simply reopened. */
static int
rewind_to_start (tinta_media *m, tinta_error *err)
{
  m->pending = 0;
  av_packet_unref (m->pkt);
  avcodec_flush_buffers (m->dec);
  m->next_packet = 0;
  m->last_output = -1;
  m->draining = 0;
  if (m->n_packets > 0)
    {
      const pkt_entry *first = &m->packets[0];
      int64_t ts = first->dts != AV_NOPTS_VALUE ? first->dts : first->pts;
      if (ts != AV_NOPTS_VALUE
          && av_seek_frame (m->fmt, m->stream, ts, AVSEEK_FLAG_BACKWARD) >= 0
          && next_stream_packet (m) >= 0)
        {
          if (same_packet (m->pkt, first))
            {
              m->pending = 1;
              return TINTA_OK;
            }
          av_packet_unref (m->pkt);
        }
    }
  return reopen_input (m, err);
}

static long long
presentation_index (const tinta_media *m, int64_t pts)
{
  long long lo = 0, hi = m->n_packets - 1;
  while (lo <= hi)
    {
      long long mid = lo + (hi - lo) / 2;
      if (m->pts_sorted[mid] == pts)
        return mid;
      if (m->pts_sorted[mid] < pts)
        lo = mid + 1;
      else
        hi = mid - 1;
    }
  return -1;
}

/* Reads the next packet of our stream in decode order; identifies its
 * decode-order position when seeking moved us (by matching timestamps). */
static int
next_stream_packet (tinta_media *m)
{
  if (m->pending)
    {
      m->pending = 0;
      return 0;
    }
  for (;;)
    {
      int r = av_read_frame (m->fmt, m->pkt);
      if (r < 0)
        return r;
      if (m->pkt->stream_index == m->stream && !(m->pkt->flags & AV_PKT_FLAG_DISCARD))
        return 0;
      av_packet_unref (m->pkt);
    }
}

/* Decodes until a frame comes out; sets *index to its presentation index
 * (or the running count in sequential mode). AVERROR_EOF at the end. */
static int
decode_next (tinta_media *m, long long *index)
{
  for (;;)
    {
      int r = avcodec_receive_frame (m->dec, m->frame);
      if (r == 0)
        {
          if (m->mode == MODE_INDEXED)
            {
              int64_t pts = m->frame->pts != AV_NOPTS_VALUE ? m->frame->pts
                                                            : m->frame->best_effort_timestamp;
              *index = presentation_index (m, pts);
            }
          else
            *index = m->last_output + 1;
          if (*index >= 0)
            m->last_output = *index;
          return 0;
        }
      if (r != AVERROR (EAGAIN))
        return r;   /* EOF after draining, or a hard error */
      if (m->draining)
        return AVERROR_EOF;
      r = next_stream_packet (m);
      if (r < 0)
        {
          m->draining = 1;
          avcodec_send_packet (m->dec, NULL);
          continue;
        }
      m->next_packet++;
      /* A damaged packet is skipped, as players do; a frame lost this way
       * is reported when someone asks for it. */
      r = avcodec_send_packet (m->dec, m->pkt);
      av_packet_unref (m->pkt);
      if (r < 0 && r != AVERROR (EAGAIN) && r != AVERROR_INVALIDDATA)
        return r;
    }
}

/* Seeks so that decoding continues from the keyframe that serves frame k. */
static int
seek_for (tinta_media *m, long long k, tinta_error *err)
{
  int64_t target_pts = m->pts_sorted[k];
  long long key = 0;
  /* Decode-order position of frame k's packet. */
  long long kpos = -1;
  for (long long i = 0; i < m->n_packets; i++)
    if (m->packets[i].pts == target_pts)
      {
        kpos = i;
        break;
      }
  if (kpos < 0)
    return tinta_fail (err, TINTA_ERR_INTERNAL, m->path, "frame %lld is not in the index", k);
  for (long long i = kpos; i >= 0; i--)
    if (m->packets[i].key && m->packets[i].pts <= target_pts)
      {
        key = i;
        break;
      }
  m->seeks++;
  if (key == 0)
    return rewind_to_start (m, err);

  const pkt_entry *e = &m->packets[key];
  int64_t ts = e->dts != AV_NOPTS_VALUE ? e->dts : e->pts;
  int r = avformat_seek_file (m->fmt, m->stream, INT64_MIN, ts, ts, 0);
  if (r < 0)
    return rewind_to_start (m, err);
  avcodec_flush_buffers (m->dec);
  m->draining = 0;
  m->last_output = -1;
  m->pending = 0;

  /* Skip packets up to our keyframe: containers seek to "some keyframe at
   * or before", and feeding from elsewhere would change the output. */
  for (;;)
    {
      r = next_stream_packet (m);
      if (r < 0)
        return rewind_to_start (m, err);
      if (same_packet (m->pkt, e))
        break;
      int64_t pdts = m->pkt->dts != AV_NOPTS_VALUE ? m->pkt->dts : m->pkt->pts;
      av_packet_unref (m->pkt);
      if (pdts != AV_NOPTS_VALUE && pdts > ts)
        return rewind_to_start (m, err);   /* overshot: be slow, not wrong */
    }
  m->next_packet = key + 1;
  r = avcodec_send_packet (m->dec, m->pkt);
  av_packet_unref (m->pkt);
  if (r < 0 && r != AVERROR (EAGAIN) && r != AVERROR_INVALIDDATA)
    {
      char msg[128];
      return tinta_fail (err, TINTA_ERR_DECODE, m->path, "decoder failed after seeking (%s)",
                         tinta_av_err_str (r, msg, sizeof msg));
    }
  return TINTA_OK;
}

static int
decode_frame (tinta_media *m, long long k, tinta_error *err)
{
  char msg[128];
  int st;

  if (m->cached != NULL && m->cached_index == k)
    return TINTA_OK;
  if (m->mode == MODE_INDEXED)
    {
      /* Forward within reach: keep decoding (cheaper than a seek when k
       * is in the same GOP or the next one). */
      int forward = k > m->last_output && m->last_output >= 0 && k - m->last_output <= 48;
      if (!forward)
        {
          st = seek_for (m, k, err);
          if (st < 0)
            return st;
        }
    }
  else if (k <= m->last_output || m->last_output < 0)
    {
      if (m->last_output >= 0 || m->next_packet > 0)
        {
          m->seeks++;
          st = rewind_to_start (m, err);
          if (st < 0)
            return st;
        }
    }

  for (;;)
    {
      long long idx = -1;
      int r = decode_next (m, &idx);
      if (r == AVERROR_EOF)
        return tinta_fail (err, TINTA_ERR_DECODE, m->path,
                           "frame %lld could not be decoded (the stream ends or is damaged)", k);
      if (r < 0)
        return tinta_fail (err, TINTA_ERR_DECODE, m->path, "decoding frame %lld failed (%s)", k,
                           tinta_av_err_str (r, msg, sizeof msg));
      if (idx == k)
        break;
      if (idx > k && m->mode == MODE_INDEXED)
        return tinta_fail (err, TINTA_ERR_DECODE, m->path,
                           "frame %lld could not be decoded (damaged data)", k);
      av_frame_unref (m->frame);
    }
  av_frame_unref (m->cached);
  av_frame_move_ref (m->cached, m->frame);
  m->cached_index = k;
  return TINTA_OK;
}

static int
count_by_decoding (tinta_media *m, tinta_error *err)
{
  long long n = 0, idx;
  int r;
  int st = rewind_to_start (m, err);
  if (st < 0)
    return st;
  while ((r = decode_next (m, &idx)) == 0)
    {
      n++;
      av_frame_unref (m->frame);
    }
  if (n == 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path, "no picture could be decoded");
  m->info.frame_count = n;
  return rewind_to_start (m, err);
}

static int
open_video (tinta_media *m, tinta_error *err)
{
  char msg[128];
  int r = avformat_open_input (&m->fmt, m->path, NULL, NULL);
  if (r < 0)
    {
      if (r == AVERROR_INVALIDDATA && looks_like_headless_mp4 (m->path))
        return tinta_fail (err, TINTA_ERR_TRUNCATED, m->path,
                           "file is truncated: the MP4/MOV index (moov box) is missing");
      return tinta_fail (err, tinta_status_from_averror (r, TINTA_ERR_INVALID_DATA), m->path,
                         "not a video FFmpeg can read (%s)", tinta_av_err_str (r, msg, sizeof msg));
    }
  /* A weak probe means FFmpeg is guessing from a few bytes or the file
   * extension: garbage would then fail later with a confusing message. */
  if (m->fmt->probe_score < AVPROBE_SCORE_MAX / 4)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "not a video FFmpeg can read (content not recognized)");
  r = avformat_find_stream_info (m->fmt, NULL);
  if (r < 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "cannot read stream information (%s)", tinta_av_err_str (r, msg, sizeof msg));
  r = av_find_best_stream (m->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  if (r == AVERROR_DECODER_NOT_FOUND || r < 0)
    {
      /* Prefer a video stream we cannot decode over none at all. */
      m->stream = -1;
      for (unsigned i = 0; i < m->fmt->nb_streams; i++)
        if (m->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO
            && !(m->fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
          {
            m->stream = (int) i;
            break;
          }
      if (m->stream < 0)
        return tinta_fail (err, TINTA_ERR_NO_VIDEO, m->path, "file has no video stream");
    }
  else
    m->stream = r;
  AVStream *s = m->fmt->streams[m->stream];
  for (unsigned i = 0; i < m->fmt->nb_streams; i++)
    if ((int) i != m->stream)
      m->fmt->streams[i]->discard = AVDISCARD_ALL;
  {
    int st = check_frame_size (m->path, s->codecpar->width > 0 ? s->codecpar->width : 1,
                               s->codecpar->height > 0 ? s->codecpar->height : 1, err);
    if (st < 0)
      return st;
  }
  r = open_decoder (m, err);
  if (r < 0)
    return r;
  m->pkt = av_packet_alloc ();
  m->frame = av_frame_alloc ();
  m->cached = av_frame_alloc ();
  if (m->pkt == NULL || m->frame == NULL || m->cached == NULL)
    return tinta_fail (err, TINTA_ERR_NO_MEMORY, m->path, "out of memory");
  m->cached_index = -1;
  r = build_index (m, err);
  if (r < 0)
    return r;
  r = rewind_to_start (m, err);
  if (r < 0)
    return r;
  if (m->mode == MODE_SEQUENTIAL)
    {
      r = count_by_decoding (m, err);
      if (r < 0)
        return r;
    }
  else
    m->info.frame_count = m->n_packets;

  /* Decode frame 0 now: a file that cannot produce a picture, or one in a
   * pixel format we cannot convert, fails at open rather than mid-job. */
  tinta_error first = { 0 };
  r = decode_frame (m, 0, &first);
  if (r < 0)
    return tinta_fail (err, TINTA_ERR_INVALID_DATA, m->path,
                       "no picture could be decoded: the data is damaged or not %s (%s)",
                       m->codec->name, first.message);
  r = check_frame_size (m->path, m->cached->width, m->cached->height, err);
  if (r < 0)
    return r;
  if (!tinta_pixfmt_supported ((enum AVPixelFormat) m->cached->format))
    {
      const char *pf = av_get_pix_fmt_name ((enum AVPixelFormat) m->cached->format);
      return tinta_fail (err, TINTA_ERR_UNSUPPORTED_PIXFMT, m->path,
                         "unsupported pixel format %s", pf ? pf : "(unknown)");
    }
  fill_pixfmt_info (&m->info, m->cached, m->codec->name);
  AVRational fr = av_guess_frame_rate (m->fmt, s, NULL);
  if (fr.num <= 0 || fr.den <= 0)
    fr = (AVRational) { TINTA_IMAGE_SEQUENCE_FPS, 1 };
  m->info.fps_num = fr.num;
  m->info.fps_den = fr.den;
  snprintf (m->info.container, sizeof m->info.container, "%s", m->fmt->iformat->name);
  m->seeks = 0;   /* count only what callers cause */
  return TINTA_OK;
}

int
tinta_media_open (const char *path, tinta_media **out, tinta_error *err)
{
  int is_dir = 0, st;
  long long size = 0;
  tinta_media *m;

  if (out == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, path, "no output handle");
  *out = NULL;
  tinta_av_init ();
  st = tinta_check_input (path, &is_dir, &size, err);
  if (st < 0)
    return st;
  m = calloc (1, sizeof *m);
  if (m == NULL || (m->path = strdup (path)) == NULL)
    {
      free (m);
      return tinta_fail (err, TINTA_ERR_NO_MEMORY, path, "out of memory");
    }
  m->file_size = size;
  m->stream = -1;
  m->last_output = -1;
  st = is_dir ? open_images (m, err) : open_video (m, err);
  if (st < 0)
    {
      tinta_media_free (m);
      return st;
    }
  *out = m;
  return TINTA_OK;
}

int
tinta_media_read (tinta_media *m, long long index, tinta_frame *frame, tinta_error *err)
{
  if (m == NULL || frame == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, m ? m->path : "", "no media or frame");
  if (index < 0 || index >= m->info.frame_count)
    return tinta_fail (err, TINTA_ERR_OUT_OF_RANGE, m->path,
                       "frame %lld is out of range (the clip has %lld frames)",
                       index, m->info.frame_count);
  if (frame->width != m->info.width || frame->height != m->info.height)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, m->path,
                       "frame buffer is %dx%d but the clip is %dx%d", frame->width,
                       frame->height, m->info.width, m->info.height);
  if (frame->rgb == NULL)
    return tinta_fail (err, TINTA_ERR_INVALID_ARGUMENT, m->path,
                       "frame needs its RGB buffer (TINTA_FRAME_RGB)");
  if (m->mode == MODE_IMAGES)
    return read_image (m, index, frame, err);

  int st = decode_frame (m, index, err);
  if (st < 0)
    return st;
  if (m->cached->width != m->info.width || m->cached->height != m->info.height)
    return tinta_fail (err, TINTA_ERR_SIZE_MISMATCH, m->path,
                       "frame %lld changes size to %dx%d (the clip starts at %dx%d)", index,
                       m->cached->width, m->cached->height, m->info.width, m->info.height);
  st = tinta_rgb_convert (&m->conv, m->cached, frame->rgb, frame->width, frame->height,
                          m->path, err);
  if (st < 0)
    return st;
  tinta_frame_finish_from_rgb (frame, m->info.has_color);
  return TINTA_OK;
}
