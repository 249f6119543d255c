/* tinta-application.c: application-wide behaviour — windows for activation
 * and for files from the command line, app.about and app.quit, keyboard
 * accelerators (set once in startup, for every window) and the style sheet.
 * Window-level behaviour lives in ui/tinta-window.c. */

#include "config.h"

#include <glib/gi18n.h>

#include "tinta-application.h"
#include "tinta-ui.h"
#include "tinta-window.h"

struct _TintaApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TintaApplication, tinta_application, GTK_TYPE_APPLICATION)

static const struct {
  const char *action;
  const char *accels[3];
} application_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.open", { "<Control>o", NULL } },
  { "win.open-folder", { "<Control><Shift>o", NULL } },
};

static void
tinta_application_startup (GApplication *application)
{
  g_autoptr(GtkCssProvider) css = NULL;

  /* GTK is initialized here; nothing GTK before it. */
  G_APPLICATION_CLASS (tinta_application_parent_class)->startup (application);

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
