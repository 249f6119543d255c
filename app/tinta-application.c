/* tinta-application.c: application-wide behaviour — windows for activation
 * and for files from the command line, app.about, app.preferences and
 * app.quit, keyboard accelerators with modifiers (set once in startup, for
 * every window; single keys are bound by the window's editor, where they
 * cannot take keys from a focused list or menu), the dark style (color
 * work needs a neutral, dark surround) and the style sheet.  Window-level
 * behaviour lives in ui/tinta-window.c. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-application.h"
#include "tinta-ui.h"
#include "tinta-window.h"

struct _TintaApplication
{
  GtkApplication  parent_instance;

  GtkWindow      *preferences;
};

G_DEFINE_FINAL_TYPE (TintaApplication, tinta_application, GTK_TYPE_APPLICATION)

static const struct {
  const char *action;
  const char *accels[3];
} application_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.open-folder", { "<Control><Shift>o", NULL } },
  { "win.save", { "<Control>s", NULL } },
  { "win.save-as", { "<Control><Shift>s", NULL } },
  { "win.export", { "<Control>e", NULL } },
  { "win.import-keyframe", { "<Control>i", NULL } },
  { "win.undo", { "<Control>z", NULL } },
  { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
  { "win.layout::single", { "<Control>1", NULL } },
  { "win.layout::side-by-side", { "<Control>2", NULL } },
  { "win.layout::grid", { "<Control>3", NULL } },
  { "win.layout::wipe", { "<Control>4", NULL } },
  { "win.zoom(1.0)", { "<Control>0", NULL } },
  { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
  { "win.zoom-out", { "<Control>minus", NULL } },
};

/* The working heights offered in the preferences; the key takes others. */
static const int working_heights[] = { 240, 360, 480, 540, 720, 1080 };

static void
tinta_application_startup (GApplication *application)
{
  g_autoptr(GtkCssProvider) css = NULL;

  /* GTK is initialized here; nothing GTK before it. */
  G_APPLICATION_CLASS (tinta_application_parent_class)->startup (application);

  /* The recent files list records which application opened a clip, and
   * how to run it (GLib's bookmark file cannot be written without). */
  if (g_strcmp0 (g_get_application_name (), g_get_prgname ()) == 0)
    g_set_application_name ("Tinta");
  if (g_get_prgname () == NULL)
    g_set_prgname ("tinta");

  /* Judging color needs a neutral, dark surround, as in every grading
   * application. */
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (application_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application),
                                           application_accels[i].action,
                                           application_accels[i].accels);

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, TINTA_RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
tinta_application_activate (GApplication *application)
{
  TintaWindow *window = tinta_window_new (GTK_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (window));
  /* The first window of a session offers what a crash left unsaved. */
  tinta_window_offer_crash_recovery (window);
}

static void
tinta_application_open (GApplication  *application,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      TintaWindow *window = tinta_window_new (GTK_APPLICATION (application));

      /* A clip that fails to open explains why in its window, which stays
       * open so the user can pick another. */
      tinta_window_open_file (window, files[i], NULL);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
tinta_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  GtkApplication *application = user_data;
  GtkWindow *parent = gtk_application_get_active_window (application);
  GtkAboutDialog *about;
  static const char *authors[] = {
    "The Tinta developers",
    NULL
  };
  static const char *method[] = {
    "Simone Meyer, Victor Cornillère, Abdelaziz Djelouah, Christopher Schroers, Markus Gross: Deep Video Color Propagation (BMVC 2018)",
    NULL
  };

  /* Built here rather than with gtk_show_about_dialog(), which has no way
   * to add a credit section. */
  about = GTK_ABOUT_DIALOG (gtk_about_dialog_new ());
  gtk_about_dialog_set_program_name (about, "Tinta");
  gtk_about_dialog_set_logo_icon_name (about, TINTA_APPLICATION_ID);
  gtk_about_dialog_set_version (about, PACKAGE_VERSION);
  gtk_about_dialog_set_comments (about, _("Colorize black-and-white video from a few color keyframes"));
  gtk_about_dialog_set_copyright (about, _("© 2026 The Tinta developers"));
  gtk_about_dialog_set_license_type (about, GTK_LICENSE_GPL_3_0);
  gtk_about_dialog_set_authors (about, authors);
  /* Translators: your name(s), one per line, credited in the about dialog */
  gtk_about_dialog_set_translator_credits (about, _("translator-credits"));
  gtk_about_dialog_add_credit_section (about, _("Method"), method);

  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static GSettings *
tinta_application_create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, TINTA_APPLICATION_ID, TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

static gboolean
working_height_to_index (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  int height = g_variant_get_int32 (variant);
  guint best = 0;

  for (guint i = 1; i < G_N_ELEMENTS (working_heights); i++)
    if (ABS (working_heights[i] - height) < ABS (working_heights[best] - height))
      best = i;
  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
index_to_working_height (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  if (index >= G_N_ELEMENTS (working_heights))
    return NULL;
  return g_variant_new_int32 (working_heights[index]);
}

static GtkWidget *
preference_label (const char *title,
                  const char *description)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new_with_mnemonic (title);

  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (description);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  return box;
}

/* The engine's two settings.  Small enough to build here rather than from
 * a template; bound to GSettings, so there is nothing to apply or save. */
static GtkWindow *
tinta_application_create_preferences (GSettings *settings)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *heading, *row_label, *dropdown, *spin, *unit, *spin_box, *note;
  GtkStringList *heights = gtk_string_list_new (NULL);

  gtk_window_set_title (window, _("Preferences"));
  gtk_window_set_resizable (window, FALSE);
  gtk_window_set_titlebar (window, gtk_header_bar_new ());

  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 24);

  heading = gtk_label_new (_("Colorization"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);

  gtk_grid_set_row_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);

  for (guint i = 0; i < G_N_ELEMENTS (working_heights); i++)
    {
      /* Translators: a working resolution, %d is its height in pixels
       * (as in 480p) */
      g_autofree char *name = g_strdup_printf (_("%dp"), working_heights[i]);

      gtk_string_list_append (heights, name);
    }
  row_label = preference_label (_("_Working Resolution"),
                                _("The height at which frames are colorized. Lower is faster; the colors are scaled up to the clip’s full size."));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (heights), NULL);   /* takes the model */
  gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
  gtk_label_set_mnemonic_widget (GTK_LABEL (gtk_widget_get_first_child (row_label)), dropdown);
  g_settings_bind_with_mapping (settings, "working-height", dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                working_height_to_index, index_to_working_height, NULL, NULL);
  gtk_grid_attach (GTK_GRID (grid), row_label, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), dropdown, 1, 0, 1, 1);

  row_label = preference_label (_("_Cache Size"),
                                _("Memory for the frames each clip keeps colorized, so scrubbing back is instant."));
  spin = gtk_spin_button_new_with_range (256, 65536, 256);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (gtk_widget_get_first_child (row_label)), spin);
  g_settings_bind (settings, "cache-megabytes",
                   gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin)), "value",
                   G_SETTINGS_BIND_DEFAULT);
  /* Translators: the unit after the cache size */
  unit = gtk_label_new (_("MB"));
  gtk_widget_add_css_class (unit, "dim-label");
  spin_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (spin_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (spin_box), spin);
  gtk_box_append (GTK_BOX (spin_box), unit);
  gtk_grid_attach (GTK_GRID (grid), row_label, 0, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), spin_box, 1, 1, 1, 1);

  gtk_box_append (GTK_BOX (box), grid);

  note = gtk_label_new (_("Changes apply to clips opened afterwards."));
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (box), note);

  gtk_window_set_child (window, box);

  return window;
}

static void
tinta_application_preferences_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  TintaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GSettings) settings = NULL;

  if (self->preferences == NULL)
    {
      if ((settings = tinta_application_create_settings ()) == NULL)
        return;
      /* Destroyed on close, so a hidden one never keeps Tinta running. */
      self->preferences = tinta_application_create_preferences (settings);
      gtk_window_set_modal (self->preferences, TRUE);
      gtk_window_set_destroy_with_parent (self->preferences, TRUE);
      gtk_application_add_window (GTK_APPLICATION (self), self->preferences);
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }

  if (parent != self->preferences)
    gtk_window_set_transient_for (self->preferences, parent);
  gtk_window_present (self->preferences);
}

static void
tinta_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  GtkApplication *application = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (application));

  /* Closing (rather than g_application_quit) lets each window save its
   * state in close-request; the application ends with its last window. */
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry application_actions[] = {
  { .name = "about", .activate = tinta_application_about_action },
  { .name = "preferences", .activate = tinta_application_preferences_action },
  { .name = "quit", .activate = tinta_application_quit_action },
};

static void
tinta_application_class_init (TintaApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->startup = tinta_application_startup;
  application_class->activate = tinta_application_activate;
  application_class->open = tinta_application_open;
}

static void
tinta_application_init (TintaApplication *self)
{
  tinta_ui_ensure_resources ();

  /* Translators: the arguments in `tinta --help` */
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[CLIP…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Open each video file or folder of numbered images in a window of its own."));

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   application_actions,
                                   G_N_ELEMENTS (application_actions),
                                   self);
}

TintaApplication *
tinta_application_new (void)
{
  return g_object_new (TINTA_TYPE_APPLICATION,
                       "application-id", TINTA_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", TINTA_RESOURCE_PATH,
                       NULL);
}
