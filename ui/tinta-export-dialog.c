/* tinta-export-dialog.c: the export dialog and its worker thread.  The
 * thread owns everything it touches (its own media, copies of the
 * keyframes, the colorizer, the exporter) and talks to the dialog only
 * through atomics and g_idle_add, which always runs on the main loop
 * (g_main_context_invoke would run on the calling thread when that thread
 * owns the context).  The job holds a reference on the dialog until its
 * last idle has run, so closing the window mid-export only cancels. */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <tinta/colorize.h>

#include "tinta-error.h"
#include "tinta-export-dialog.h"
#include "tinta-ui.h"

typedef struct {
  TintaExportDialog *dialog;     /* strong ref, dropped by the last idle */
  char              *clip_path;
  char              *output;
  tinta_format       format;
  char              *strategy;
  int                working_height;
  gint64             first, last;
  tinta_frame       *images[TINTA_COLORIZE_MAX_KEYS];
  gint64             key_frames[TINTA_COLORIZE_MAX_KEYS];
  int                n_keys;
  /* Partial (painted) keyframes: colors and alpha, any number. */
  GPtrArray         *partial_images;   /* of tinta_frame */
  GPtrArray         *partial_alphas;   /* of float[] */
  GArray            *partial_frames;   /* of gint64 */

  gint               cancel;     /* atomic */
  gint               phase;      /* atomic: 0 analyze, 1 export */
  gint               done;       /* atomic */
  gint               total;      /* atomic */
  gint               idle_pending;
  gint64             started_us; /* of the export phase */

  /* Worker-only state. */
  tinta_colorizer   *colorizer;
  tinta_frame       *lab;
  gint64             next_frame;

  /* The result, read by the finish idle. */
  int                status;
  tinta_error        err;
} ExportJob;

struct _TintaExportDialog
{
  GtkWindow        parent_instance;

  TintaClip       *clip;
  ExportJob       *job;
  char            *error_message;
  gint64           exported_frames;
  GtkFileChooserNative *chooser;

  GtkStack        *stack;
  GtkDropDown     *format_dropdown;
  GtkCheckButton  *all_frames_check;
  GtkSpinButton   *first_spin;
  GtkSpinButton   *last_spin;
  GtkDropDown     *strategy_dropdown;
  GtkEntry        *output_entry;
  GtkLabel        *note_label;
  GtkLabel        *error_label;
  GtkButton       *export_button;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkButton       *choose_button;
  GtkButton       *cancel_button;
};

enum { FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TintaExportDialog, tinta_export_dialog, GTK_TYPE_WINDOW)

static const char *const strategies[] = { "fused", "local", "global" };

static void
export_job_free (ExportJob *job)
{
  tinta_colorizer_free (job->colorizer);
  tinta_frame_free (job->lab);
  for (int i = 0; i < job->n_keys; i++)
    tinta_frame_free (job->images[i]);
  g_ptr_array_unref (job->partial_images);
  g_ptr_array_unref (job->partial_alphas);
  g_array_unref (job->partial_frames);
  g_free (job->clip_path);
  g_free (job->output);
  g_free (job->strategy);
  g_clear_object (&job->dialog);
  g_free (job);
}

/* ---- the worker -------------------------------------------------------------- */

static gboolean progress_idle (gpointer user_data);

static void
post_progress (ExportJob *job)
{
  if (g_atomic_int_compare_and_exchange (&job->idle_pending, 0, 1))
    g_idle_add (progress_idle, g_object_ref (job->dialog));
}

static void
progress_cb (void      *user,
             long long  done,
             long long  total)
{
  ExportJob *job = user;

  g_atomic_int_set (&job->done, (gint) done);
  g_atomic_int_set (&job->total, (gint) total);
  post_progress (job);
}

static int
abort_cb (void *user)
{
  ExportJob *job = user;

  return g_atomic_int_get (&job->cancel);
}

/* Export index i is clip frame first + i; the colorizer wants every frame
 * from 0 in order, so frames before the range are computed and dropped. */
static int
source_cb (void         *user,
           long long     index,
           tinta_frame  *frame,
           tinta_error  *err)
{
  ExportJob *job = user;
  gint64 wanted = job->first + index;
  int st = TINTA_OK;

  while (st == TINTA_OK && job->next_frame <= wanted)
    {
      if (g_atomic_int_get (&job->cancel))
        return TINTA_CANCELLED;
      st = tinta_colorizer_frame (job->colorizer, job->next_frame++, job->lab, err);
    }
  if (st == TINTA_OK)
    memcpy (frame->rgb, job->lab->rgb, (size_t) frame->width * frame->height * 3);
  return st;
}

static gboolean finish_idle (gpointer user_data);

static gpointer
export_thread (gpointer user_data)
{
  ExportJob *job = user_data;
  tinta_media *media = NULL;
  tinta_keyframe keys[TINTA_COLORIZE_MAX_KEYS];
  tinta_colorize_params cp;
  int st;

  tinta_colorize_params_init (&cp);
  cp.strategy = job->strategy;
  cp.working_height = job->working_height;
  for (int i = 0; i < job->n_keys; i++)
    {
      keys[i].frame = job->key_frames[i];
      keys[i].image = job->images[i];
    }

  st = tinta_media_open (job->clip_path, &media, &job->err);
  if (st == TINTA_OK)
    {
      const tinta_media_info *in = tinta_media_get_info (media);

      st = tinta_colorizer_new (media, job->last + 1, keys, job->n_keys, &cp, &job->colorizer,
                                &job->err);
      for (guint i = 0; st == TINTA_OK && i < job->partial_frames->len; i++)
        st = tinta_colorizer_add_partial (job->colorizer, g_array_index (job->partial_frames, gint64, i),
                                          g_ptr_array_index (job->partial_images, i),
                                          g_ptr_array_index (job->partial_alphas, i), &job->err);
      if (st == TINTA_OK
          && (job->lab = tinta_frame_new (in->width, in->height,
                                          TINTA_FRAME_LAB | TINTA_FRAME_RGB)) == NULL)
        st = TINTA_ERR_NO_MEMORY;
      if (st == TINTA_OK)
        st = tinta_colorizer_analyze (job->colorizer, progress_cb, abort_cb, job, &job->err);
      if (st == TINTA_OK)
        {
          tinta_export_params p;

          tinta_export_params_init (&p);
          p.format = job->format;
          p.width = in->width;
          p.height = in->height;
          p.fps_num = in->fps_num;
          p.fps_den = in->fps_den;
          job->started_us = g_get_monotonic_time ();
          g_atomic_int_set (&job->phase, 1);
          st = tinta_export_frames (job->output, &p, job->last - job->first + 1, source_cb, job,
                                    progress_cb, abort_cb, job, &job->err);
        }
    }
  tinta_colorizer_free (g_steal_pointer (&job->colorizer));
  tinta_media_free (media);
  job->status = st;
  g_idle_add (finish_idle, job);
  return NULL;
}

/* ---- the main thread side ---------------------------------------------------- */

static gboolean
progress_idle (gpointer user_data)
{
  g_autoptr(TintaExportDialog) self = user_data;
  ExportJob *job = self->job;
  g_autofree char *text = NULL;
  gint64 done, total;

  if (job == NULL)
    return G_SOURCE_REMOVE;
  g_atomic_int_set (&job->idle_pending, 0);
  done = g_atomic_int_get (&job->done);
  total = g_atomic_int_get (&job->total);
  if (g_atomic_int_get (&job->phase) == 0)
    {
      text = g_strdup_printf (_("Analyzing: %lld / %lld"),
                              (long long) done, (long long) total);
      gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0);
    }
  else
    {
      double seconds = (g_get_monotonic_time () - job->started_us) / (double) G_USEC_PER_SEC;
      double fps = seconds > 0 ? done / seconds : 0;
      gint64 eta = fps > 0 ? (gint64) ((total - done) / fps + 0.5) : 0;

      /* Translators: frames done / total · frames per second · time left (mm:ss) */
      text = g_strdup_printf (_("%lld / %lld · %.1f fps · ETA %02d:%02d"),
                              (long long) done, (long long) total, fps, (int) (eta / 60), (int) (eta % 60));
      gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0);
    }
  gtk_label_set_text (self->progress_label, text);
  return G_SOURCE_REMOVE;
}

static gboolean
finish_idle (gpointer user_data)
{
  ExportJob *job = user_data;
  g_autoptr(TintaExportDialog) self = g_object_ref (job->dialog);
  gboolean success = job->status == TINTA_OK;

  self->job = NULL;
  g_clear_pointer (&self->error_message, g_free);
  if (success)
    self->exported_frames = job->last - job->first + 1;
  else
    {
      if (job->status != TINTA_CANCELLED)
        {
          g_autoptr(GError) error = NULL;

          tinta_set_error (&error, job->status, &job->err);
          self->error_message = g_strdup (error->message);
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
        }
      gtk_stack_set_visible_child_name (self->stack, "settings");
    }
  g_signal_emit (self, signals[FINISHED], 0, success, success ? job->output : NULL);
  export_job_free (job);
  /* Done: the dialog goes, and the window it came from says where the
   * file went (a toast with Open Folder).  A "done" page would only ask
   * for one more click before the user is back in the editor; a failure
   * keeps the dialog open on its settings, with the engine's message, so
   * the path or format can be fixed and the export run again. */
  if (success)
    gtk_window_close (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static tinta_format
selected_format (TintaExportDialog *self)
{
  guint i = gtk_drop_down_get_selected (self->format_dropdown);

  return i < TINTA_FORMAT_COUNT ? (tinta_format) i : TINTA_FORMAT_PRORES;
}

static void
run_export (TintaExportDialog *self)
{
  const tinta_media_info *info = tinta_clip_get_info (self->clip);
  ExportJob *job = g_new0 (ExportJob, 1);
  const gint64 *frames;
  guint n = 0;

  job->partial_images = g_ptr_array_new_with_free_func ((GDestroyNotify) tinta_frame_free);
  job->partial_alphas = g_ptr_array_new_with_free_func (g_free);
  job->partial_frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  job->clip_path = g_strdup (tinta_clip_get_path (self->clip));
  job->output = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->output_entry)));
  job->format = selected_format (self);
  job->strategy = g_strdup (strategies[MIN (gtk_drop_down_get_selected (self->strategy_dropdown), 2)]);
  {
    int working_width;

    tinta_clip_get_working_size (self->clip, &working_width, &job->working_height);
  }
  if (gtk_check_button_get_active (self->all_frames_check))
    {
      job->first = 0;
      job->last = info->frame_count - 1;
    }
  else
    {
      job->first = gtk_spin_button_get_value_as_int (self->first_spin);
      job->last = MAX (job->first, gtk_spin_button_get_value_as_int (self->last_spin));
    }

  /* Copies: the clip's keyframes may change while the thread runs. */
  frames = tinta_clip_get_keyframes (self->clip, &n);
  for (guint i = 0; i < n && job->n_keys < TINTA_COLORIZE_MAX_KEYS; i++)
    {
      const float *alpha = NULL;
      const tinta_frame *colors = tinta_clip_get_keyframe_colors (self->clip, frames[i], &alpha);
      tinta_frame *copy;

      if (colors == NULL || frames[i] > job->last)
        continue;
      copy = tinta_frame_new (colors->width, colors->height, TINTA_FRAME_LAB);
      if (copy == NULL)
        continue;
      memcpy (copy->L, colors->L, sizeof (float) * colors->width * colors->height);
      memcpy (copy->a, colors->a, sizeof (float) * colors->width * colors->height);
      memcpy (copy->b, colors->b, sizeof (float) * colors->width * colors->height);
      copy->has_color = 1;
      if (alpha != NULL)
        {
          /* Painted strokes: the colorizer lays them over its chains at
           * their frame, as the editor's worker does. */
          g_ptr_array_add (job->partial_images, copy);
          g_ptr_array_add (job->partial_alphas,
                           g_memdup2 (alpha, sizeof (float) * colors->width * colors->height));
          g_array_append_val (job->partial_frames, frames[i]);
          continue;
        }
      job->images[job->n_keys] = copy;
      job->key_frames[job->n_keys++] = frames[i];
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  if (job->n_keys == 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (_("There is no full keyframe up to the range's last frame."));
      gtk_label_set_text (self->error_label, self->error_message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      export_job_free (job);
      return;
    }
  /* Only the global strategy has no chain to carry paint on. */
  if (job->partial_frames->len > 0 && g_strcmp0 (job->strategy, "global") == 0)
    gtk_label_set_text (self->note_label,
                        _("The Global strategy leaves painted keyframes out; Fused and Local use them."));
  gtk_widget_set_visible (GTK_WIDGET (self->note_label),
                          job->partial_frames->len > 0 && g_strcmp0 (job->strategy, "global") == 0);

  job->dialog = g_object_ref (self);
  self->job = job;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  gtk_stack_set_visible_child_name (self->stack, "progress");
  g_thread_unref (g_thread_new ("tinta-export", export_thread, job));
}

static void
overwrite_response_cb (GtkDialog         *dialog,
                       int                response,
                       TintaExportDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == GTK_RESPONSE_ACCEPT && self->job == NULL)
    run_export (self);
}

void
tinta_export_dialog_start (TintaExportDialog *self)
{
  const char *output;
  GtkWidget *confirm;

  g_return_if_fail (TINTA_IS_EXPORT_DIALOG (self));
  if (self->job != NULL)
    return;
  output = gtk_editable_get_text (GTK_EDITABLE (self->output_entry));
  if (output == NULL || *output == '\0')
    return;
  if (!g_file_test (output, G_FILE_TEST_EXISTS))
    {
      run_export (self);
      return;
    }
  confirm = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                    GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                    _("Replace “%s”?"), output);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (confirm), "%s",
                                            _("It already exists; the export replaces it when it succeeds."));
  gtk_dialog_add_buttons (GTK_DIALOG (confirm), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Replace"), GTK_RESPONSE_ACCEPT, NULL);
  g_signal_connect (confirm, "response", G_CALLBACK (overwrite_response_cb), self);
  gtk_window_present (GTK_WINDOW (confirm));
}

void
tinta_export_dialog_cancel (TintaExportDialog *self)
{
  g_return_if_fail (TINTA_IS_EXPORT_DIALOG (self));
  if (self->job != NULL)
    g_atomic_int_set (&self->job->cancel, 1);
}

gboolean
tinta_export_dialog_is_running (TintaExportDialog *self)
{
  return self->job != NULL;
}

const char *
tinta_export_dialog_get_error (TintaExportDialog *self)
{
  return self->error_message;
}

gint64
tinta_export_dialog_get_exported_frames (TintaExportDialog *self)
{
  g_return_val_if_fail (TINTA_IS_EXPORT_DIALOG (self), 0);
  return self->exported_frames;
}

/* The output's extension follows the format: PNG sequences are folders. */
static void
format_changed_cb (TintaExportDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->output_entry));
  const char *ext = tinta_format_extension (selected_format (self));
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;
  const char *slash, *dot;

  if (text == NULL || *text == '\0')
    return;
  slash = strrchr (text, '/');
  dot = strrchr (text, '.');
  if (dot != NULL && (slash == NULL || dot > slash))
    base = g_strndup (text, dot - text);
  else
    base = g_strdup (text);
  path = g_strconcat (base, ext, NULL);
  if (g_strcmp0 (path, text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->output_entry), path);
}

static void
range_changed_cb (TintaExportDialog *self)
{
  gboolean all = gtk_check_button_get_active (self->all_frames_check);

  gtk_widget_set_sensitive (GTK_WIDGET (self->first_spin), !all);
  gtk_widget_set_sensitive (GTK_WIDGET (self->last_spin), !all);
}

static void
output_changed_cb (TintaExportDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->output_entry));

  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), text != NULL && *text != '\0');
}

static void
chooser_response_cb (TintaExportDialog    *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        tinta_export_dialog_set_output (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_clicked_cb (TintaExportDialog *self)
{
  g_autofree char *name = g_path_get_basename (tinta_clip_get_path (self->clip));
  g_autofree char *suggested = NULL;
  char *dot = strrchr (name, '.');

  if (dot != NULL)
    *dot = '\0';
  suggested = g_strconcat (name, "-color", tinta_format_extension (selected_format (self)), NULL);
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Export To"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_clicked_cb (TintaExportDialog *self)
{
  tinta_export_dialog_start (self);
}

static void
cancel_clicked_cb (TintaExportDialog *self)
{
  tinta_export_dialog_cancel (self);
}

static gboolean
tinta_export_dialog_close_request (GtkWindow *window)
{
  /* The job keeps the dialog alive until its thread is done. */
  tinta_export_dialog_cancel (TINTA_EXPORT_DIALOG (window));
  return GTK_WINDOW_CLASS (tinta_export_dialog_parent_class)->close_request (window);
}

static void
tinta_export_dialog_dispose (GObject *object)
{
  TintaExportDialog *self = TINTA_EXPORT_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->clip);
  G_OBJECT_CLASS (tinta_export_dialog_parent_class)->dispose (object);
}

static void
tinta_export_dialog_finalize (GObject *object)
{
  TintaExportDialog *self = TINTA_EXPORT_DIALOG (object);

  g_free (self->error_message);
  G_OBJECT_CLASS (tinta_export_dialog_parent_class)->finalize (object);
}

static void
tinta_export_dialog_class_init (TintaExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tinta_export_dialog_dispose;
  object_class->finalize = tinta_export_dialog_finalize;
  window_class->close_request = tinta_export_dialog_close_request;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                    G_TYPE_BOOLEAN, G_TYPE_STRING);

  tinta_ui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/tinta/Tinta/ui/tinta-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, all_frames_check);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, first_spin);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, last_spin);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, strategy_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, output_entry);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, note_label);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, TintaExportDialog, cancel_button);
}

static void
tinta_export_dialog_init (TintaExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Connected here rather than in the .ui, so gtk4-builder-tool can
   * validate the template on its own. */
  g_signal_connect_swapped (self->format_dropdown, "notify::selected",
                            G_CALLBACK (format_changed_cb), self);
  g_signal_connect_swapped (self->all_frames_check, "toggled", G_CALLBACK (range_changed_cb), self);
  g_signal_connect_swapped (self->output_entry, "changed", G_CALLBACK (output_changed_cb), self);
  g_signal_connect_swapped (self->choose_button, "clicked", G_CALLBACK (choose_clicked_cb), self);
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (export_clicked_cb), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  range_changed_cb (self);
  output_changed_cb (self);
}

TintaExportDialog *
tinta_export_dialog_new (GtkWindow *parent,
                         TintaClip *clip)
{
  TintaExportDialog *self;
  const tinta_media_info *info;
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *output = NULL;
  char *dot;

  g_return_val_if_fail (TINTA_IS_CLIP (clip), NULL);
  self = g_object_new (TINTA_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->clip = g_object_ref (clip);
  info = tinta_clip_get_info (clip);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->first_spin),
                            MAX (0, info->frame_count - 1));
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->last_spin),
                            MAX (0, info->frame_count - 1));
  gtk_spin_button_set_value (self->last_spin, MAX (0, info->frame_count - 1));

  name = g_path_get_basename (tinta_clip_get_path (clip));
  dir = g_path_get_dirname (tinta_clip_get_path (clip));
  if ((dot = strrchr (name, '.')) != NULL)
    *dot = '\0';
  output = g_strdup_printf ("%s/%s-color%s", dir, name,
                            tinta_format_extension (selected_format (self)));
  gtk_editable_set_text (GTK_EDITABLE (self->output_entry), output);
  return self;
}

void
tinta_export_dialog_set_output (TintaExportDialog *self,
                                const char        *path)
{
  g_return_if_fail (TINTA_IS_EXPORT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->output_entry), path);
  format_changed_cb (self);
}

void
tinta_export_dialog_set_format (TintaExportDialog *self,
                                tinta_format       format)
{
  g_return_if_fail (TINTA_IS_EXPORT_DIALOG (self));
  gtk_drop_down_set_selected (self->format_dropdown, format);
}

void
tinta_export_dialog_set_range (TintaExportDialog *self,
                               gint64             first,
                               gint64             last)
{
  g_return_if_fail (TINTA_IS_EXPORT_DIALOG (self));
  gtk_check_button_set_active (self->all_frames_check, last < 0);
  if (last >= 0)
    {
      gtk_spin_button_set_value (self->first_spin, first);
      gtk_spin_button_set_value (self->last_spin, last);
    }
}
