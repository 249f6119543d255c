/* tinta-keyframe-panel.c: the keyframe sidebar (template
 * resources/ui/tinta-keyframe-panel.ui; see tinta-keyframe-panel.h).
 *
 * Rows are rebuilt from the clip on every update: a clip has at most
 * TINTA_WORKER_MAX_KEYS keyframes, so that is cheap, except for the
 * thumbnails, which scale a clip-size image down.  Those are kept per
 * frame and made again only for the keyframe an edit changed. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-keyframe-panel.h"
#include "tinta-thumbnailer.h"
#include "tinta-timeline.h"
#include "tinta-ui.h"

#define THUMBNAIL_WIDTH 96        /* texture pixels: sharp at scale 2 */
#define THUMBNAIL_DISPLAY_WIDTH 64

struct _TintaKeyframePanel
{
  GtkBox      parent_instance;

  TintaClip  *clip;
  GHashTable *thumbnails;         /* gint64 frame -> GdkTexture */
  gint64      position;

  /* Template children */
  GtkLabel   *count_label;
  GtkStack   *stack;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (TintaKeyframePanel, tinta_keyframe_panel, GTK_TYPE_BOX)

enum {
  SIGNAL_KEYFRAME_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The keyframe's colors, THUMBNAIL_WIDTH wide. */
static GdkTexture *
make_thumbnail (const tinta_frame *colors)
{
  g_autoptr(GBytes) bytes = NULL;
  int width, height;

  if (colors == NULL || colors->rgb == NULL || colors->width < 1 || colors->height < 1)
    return NULL;

  bytes = tinta_thumbnail_scale (colors->rgb, colors->width, colors->height, THUMBNAIL_WIDTH,
                                 &width, &height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

static GtkWidget *
make_row (TintaKeyframePanel *self,
          gint64              frame)
{
  const tinta_media_info *info = tinta_clip_get_info (self->clip);
  const float *alpha = NULL;
  const tinta_frame *colors = tinta_clip_get_keyframe_colors (self->clip, frame, &alpha);
  g_autofree char *title = NULL;
  g_autofree char *timecode = NULL;
  g_autofree char *subtitle = NULL;
  GdkTexture *thumbnail;
  GtkWidget *row, *box, *picture, *labels, *label;

  thumbnail = g_hash_table_lookup (self->thumbnails, &frame);
  if (thumbnail == NULL && (thumbnail = make_thumbnail (colors)) != NULL)
    g_hash_table_insert (self->thumbnails, g_memdup2 (&frame, sizeof frame), thumbnail);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);

  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (thumbnail));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
  if (colors != NULL && colors->width > 0)
    gtk_widget_set_size_request (picture, THUMBNAIL_DISPLAY_WIDTH,
                                 MAX (1, THUMBNAIL_DISPLAY_WIDTH * colors->height / colors->width));
  gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (picture, "tinta-keyframe-thumbnail");
  gtk_box_append (GTK_BOX (box), picture);

  labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (labels, TRUE);

  /* Translators: a keyframe in the list, %lld is its frame number */
  title = g_strdup_printf (_("Frame %lld"), (long long) frame);
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (labels), label);

  timecode = tinta_timeline_format_timecode (frame, info->fps_num, info->fps_den);
  /* Translators: under a keyframe's frame number: its timecode and kind.
   * A full keyframe is a whole colored frame, a partial one painted
   * strokes on part of it. */
  subtitle = g_strdup_printf ("%s · %s", timecode, alpha == NULL ? _("Full") : _("Partial"));
  label = gtk_label_new (subtitle);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (labels), label);

  gtk_box_append (GTK_BOX (box), labels);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "tinta-frame", g_memdup2 (&frame, sizeof frame), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
  return row;
}

static gint64
row_frame (GtkListBoxRow *row)
{
  const gint64 *frame = row != NULL ? g_object_get_data (G_OBJECT (row), "tinta-frame") : NULL;

  return frame != NULL ? *frame : -1;
}

static void
tinta_keyframe_panel_select_position (TintaKeyframePanel *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && row_frame (GTK_LIST_BOX_ROW (child)) == self->position)
        {
          gtk_list_box_select_row (self->list, GTK_LIST_BOX_ROW (child));
          return;
        }
    }
  gtk_list_box_unselect_all (self->list);
}

static void
tinta_keyframe_panel_rebuild (TintaKeyframePanel *self)
{
  const gint64 *frames = NULL;
  guint n = 0;
  GtkWidget *child;
  g_autofree char *count = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (self->clip != NULL)
    frames = tinta_clip_get_keyframes (self->clip, &n);

  for (guint i = 0; i < n; i++)
    gtk_list_box_append (self->list, make_row (self, frames[i]));

  /* Thumbnails of keyframes that are gone. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->thumbnails);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (self->clip == NULL || tinta_clip_get_keyframe_colors (self->clip, *(gint64 *) key, NULL) == NULL)
        g_hash_table_iter_remove (&iter);
  }

  count = n > 0 ? g_strdup_printf ("%u", n) : NULL;
  gtk_label_set_label (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
  tinta_keyframe_panel_select_position (self);
}

static void
tinta_keyframe_panel_row_activated_cb (TintaKeyframePanel *self,
                                       GtkListBoxRow      *row)
{
  gint64 frame = row_frame (row);

  if (frame >= 0)
    g_signal_emit (self, signals[SIGNAL_KEYFRAME_ACTIVATED], 0, frame);
}

void
tinta_keyframe_panel_set_clip (TintaKeyframePanel *self,
                               TintaClip          *clip)
{
  g_return_if_fail (TINTA_IS_KEYFRAME_PANEL (self));
  g_return_if_fail (clip == NULL || TINTA_IS_CLIP (clip));

  g_set_object (&self->clip, clip);
  g_hash_table_remove_all (self->thumbnails);
  self->position = 0;
  tinta_keyframe_panel_rebuild (self);
}

void
tinta_keyframe_panel_update (TintaKeyframePanel *self,
                             gint64              changed_frame)
{
  g_return_if_fail (TINTA_IS_KEYFRAME_PANEL (self));

  if (changed_frame >= 0)
    g_hash_table_remove (self->thumbnails, &changed_frame);
  tinta_keyframe_panel_rebuild (self);
}

void
tinta_keyframe_panel_set_position (TintaKeyframePanel *self,
                                   gint64              frame)
{
  g_return_if_fail (TINTA_IS_KEYFRAME_PANEL (self));

  if (self->position == frame)
    return;
  self->position = frame;
  tinta_keyframe_panel_select_position (self);
}

guint
tinta_keyframe_panel_get_n_keyframes (TintaKeyframePanel *self)
{
  guint n = 0;

  g_return_val_if_fail (TINTA_IS_KEYFRAME_PANEL (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child))
      n++;
  return n;
}

gint64
tinta_keyframe_panel_get_selected (TintaKeyframePanel *self)
{
  g_return_val_if_fail (TINTA_IS_KEYFRAME_PANEL (self), -1);

  return row_frame (gtk_list_box_get_selected_row (self->list));
}

static void
tinta_keyframe_panel_dispose (GObject *object)
{
  TintaKeyframePanel *self = TINTA_KEYFRAME_PANEL (object);

  g_clear_object (&self->clip);
  gtk_widget_dispose_template (GTK_WIDGET (self), TINTA_TYPE_KEYFRAME_PANEL);

  G_OBJECT_CLASS (tinta_keyframe_panel_parent_class)->dispose (object);
}

static void
tinta_keyframe_panel_finalize (GObject *object)
{
  TintaKeyframePanel *self = TINTA_KEYFRAME_PANEL (object);

  g_hash_table_unref (self->thumbnails);

  G_OBJECT_CLASS (tinta_keyframe_panel_parent_class)->finalize (object);
}

static void
tinta_keyframe_panel_class_init (TintaKeyframePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  tinta_ui_ensure_resources ();

  object_class->dispose = tinta_keyframe_panel_dispose;
  object_class->finalize = tinta_keyframe_panel_finalize;

  /**
   * TintaKeyframePanel::keyframe-activated:
   * @frame: the keyframe's frame
   *
   * A row was activated (clicked, or Enter): the window moves there.
   */
  signals[SIGNAL_KEYFRAME_ACTIVATED] =
    g_signal_new ("keyframe-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               TINTA_RESOURCE_PATH "/ui/tinta-keyframe-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TintaKeyframePanel, count_label);
  gtk_widget_class_bind_template_child (widget_class, TintaKeyframePanel, stack);
  gtk_widget_class_bind_template_child (widget_class, TintaKeyframePanel, list);
  gtk_widget_class_set_css_name (widget_class, "tintakeyframepanel");
}

static void
tinta_keyframe_panel_init (TintaKeyframePanel *self)
{
  self->thumbnails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Connected here rather than in the template, which gtk4-builder-tool
   * validates without our callbacks. */
  g_signal_connect_object (self->list, "row-activated",
                           G_CALLBACK (tinta_keyframe_panel_row_activated_cb), self, G_CONNECT_SWAPPED);
  tinta_keyframe_panel_rebuild (self);
}

GtkWidget *
tinta_keyframe_panel_new (void)
{
  return g_object_new (TINTA_TYPE_KEYFRAME_PANEL, NULL);
}
