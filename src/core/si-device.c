/* si-device.c — the notebook's device name: its default, and where it is kept.
 *
 * The name lives in the notebook's database (sync_meta, key "device:name"), so the app and
 * saveidea-cli on one notebook agree on it. Its rules are the wire codec's
 * (si_wire_device_name_is_valid()), so a name set here is always one the server takes.
 */
#define G_LOG_DOMAIN "saveidea-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "si-device.h"
#include "si-store-private.h"
#include "si-wire.h"

#define META_DEVICE_NAME "device:name"

/* A machine-info file bigger than this is not one. */
#define MACHINE_INFO_MAX_BYTES (64 * 1024)

char *
si_device_name_clean (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  gboolean space = FALSE;
  glong n = 0;

  if (text == NULL)
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0' && n < SI_DEVICE_NAME_MAX_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (g_unichar_isspace (c) || type == G_UNICODE_CONTROL ||
          type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR)
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
          if (n == SI_DEVICE_NAME_MAX_CHARS)
            break;
        }
      g_string_append_unichar (out, c);
      n++;
    }
  g_strchomp (out->str);
  if (out->str[0] == '\0')
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
si_device_name_from_machine_info (const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      g_autofree char *value = NULL;

      while (*line == ' ' || *line == '\t')
        line++;
      if (!g_str_has_prefix (line, "PRETTY_HOSTNAME="))
        continue;
      /* machine-info(5): shell-style values, quoted or not. */
      value = g_shell_unquote (line + strlen ("PRETTY_HOSTNAME="), NULL);
      if (value != NULL)
        return si_device_name_clean (value);
    }
  return NULL;
}

static char *
read_pretty_hostname (void)
{
  /* The host's file inside a Flatpak sandbox first, then the system's. */
  static const char * const paths[] = { "/run/host/etc/machine-info", "/etc/machine-info" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *text = NULL;
      gsize length = 0;
      char *name;

      if (!g_file_get_contents (paths[i], &text, &length, NULL) || length > MACHINE_INFO_MAX_BYTES)
        continue;
      if ((name = si_device_name_from_machine_info (text)))
        return name;
    }
  return NULL;
}

char *
si_device_dup_default_name (void)
{
  static char *name;

  /* Read once: it does not change while Saveidea runs, and a save asks for it. */
  if (g_once_init_enter (&name))
    {
      char *found = read_pretty_hostname ();

      if (found == NULL)
        found = si_device_name_clean (g_get_host_name ());
      if (found == NULL)
        found = g_strdup ("Saveidea");
      g_once_init_leave (&name, found);
    }
  return g_strdup (name);
}

char *
si_device_dup_custom_name (SiStore *store)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), NULL);

  name = _si_store_get_meta (store, META_DEVICE_NAME);
  /* Written by si_device_set_name(), but the file is outside input all the same. */
  if (name == NULL || !si_wire_device_name_is_valid (name))
    return NULL;
  return g_steal_pointer (&name);
}

char *
si_device_dup_name (SiStore *store)
{
  char *name;

  g_return_val_if_fail (SI_IS_STORE (store), NULL);

  if ((name = si_device_dup_custom_name (store)))
    return name;
  return si_device_dup_default_name ();
}

gboolean
si_device_set_name (SiStore     *store,
                    const char  *name,
                    GError     **error)
{
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (SI_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name != NULL && !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                           _("The device name is not valid UTF-8."));
      return FALSE;
    }
  stripped = g_strstrip (g_strdup (name ? name : ""));
  if (*stripped != '\0' && !si_wire_device_name_is_valid (stripped))
    {
      g_set_error (error, SI_STORE_ERROR, SI_STORE_ERROR_INVALID,
                   /* Translators: %d is the most characters a device name may have. */
                   _("A device name is one line of at most %d characters, without control characters."),
                   SI_DEVICE_NAME_MAX_CHARS);
      return FALSE;
    }
  return _si_store_set_meta (store, META_DEVICE_NAME, *stripped ? stripped : NULL, error);
}
