/* settings: the tcptoprc file that keeps the interactive choices between
 * runs; parse and atomic write, no UI.
 *
 * Format, like htoprc: one "key=value" per line.  Blank lines and lines
 * whose first non-blank byte is '#' are ignored ('#' later in a line is
 * part of the value); spaces and tabs around key and value are trimmed;
 * a key given twice keeps its last value.  Keys, in any case:
 *	sort	a sort key name (field_table[].name, case-insensitive)
 *	reverse	0, 1, yes, no, true or false (case-insensitive)
 *	delay	seconds as a plain decimal ("2", "0.5"), 0.1 to 3600; read
 *		and written the same whatever LC_NUMERIC says
 *	color	a boolean, as reverse
 *	ascii	a boolean, as reverse
 *	mouse	a boolean: clicks and the wheel (--no-mouse)
 *	resolve_hosts	a boolean: host names (keys r, --resolve)
 *	resolve_ports	a boolean: service names (key R, --resolve)
 *	columns	comma-separated column names, not empty, at most 255 bytes;
 *		the caller checks the names
 *	alert_*	an alert's threshold (alert_kinds[].key, tcptop/alerts.h):
 *		a whole decimal number in the kind's min..max
 * An unknown key is skipped so that a file written by a newer tcptop
 * still loads, but it is reported (see settings_load).  A bad value, a
 * line without '=', a NUL byte, a line longer than SETTINGS_MAX_LINE
 * bytes or a file larger than SETTINGS_MAX_FILE bytes makes the whole
 * file broken: nothing of it is used. */
#ifndef TCPTOP_SETTINGS_H
#define TCPTOP_SETTINGS_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "tcptop/alerts.h"

#define SETTINGS_SORT		0x01
#define SETTINGS_REVERSE	0x02
#define SETTINGS_DELAY		0x04
#define SETTINGS_COLOR		0x08
#define SETTINGS_COLUMNS	0x10
#define SETTINGS_ASCII		0x20
#define SETTINGS_RESOLVE_HOSTS	0x40
#define SETTINGS_RESOLVE_PORTS	0x80
#define SETTINGS_MOUSE		0x100

#define SETTINGS_MAX_LINE	1024		/* bytes, without the '\n' */
#define SETTINGS_MAX_FILE	(64 * 1024)	/* bytes */
#define SETTINGS_DELAY_MIN	0.1		/* seconds */
#define SETTINGS_DELAY_MAX	3600.0

struct settings {
	unsigned set;		/* SETTINGS_* bits: fields the file gave,
				 * or the fields settings_save writes */
	int sort_key;		/* enum sort_key (tcptop/sort.h) */
	int sort_reverse;	/* 0 or 1 */
	double delay;		/* seconds, SETTINGS_DELAY_MIN..MAX */
	int color;		/* 0 or 1 */
	int ascii;		/* 0 or 1 */
	int mouse;		/* 0 or 1 */
	int resolve_hosts;	/* 0 or 1 */
	int resolve_ports;	/* 0 or 1 */
	char columns[256];	/* comma-separated column names */
	unsigned alert_set;	/* 1 << enum alert_kind: the thresholds the
				 * file gave, or that settings_save writes */
	uint32_t alert[ALERT_NKINDS];	/* those thresholds */
};

/* Put the path of tcptoprc in buf (len bytes): $XDG_CONFIG_HOME/tcptop/
 * tcptoprc, else $HOME/.config/tcptop/tcptoprc.  Following the XDG base
 * directory spec, an empty or relative XDG_CONFIG_HOME is ignored; an
 * empty or relative HOME is ignored too (the file would land wherever
 * tcptop was started).  Returns 0, or -1 with buf "" when neither
 * variable gives a path or the path does not fit. */
int settings_path(char *buf, size_t len);

/* Read the file at path into s.  s is always written in full: on any
 * return other than 0 it is all zeros (set == 0: the caller keeps its
 * defaults), and on 0 only the fields named in s->set mean anything.
 * Returns:
 *	0	loaded.  warn (warnlen bytes) is "" or, when the file had
 *		unknown keys, one line "tcptoprc:LINE: unknown key ..."
 *		naming the first; they were skipped, the rest was used.
 *	1	no such file (a first run); warn is "".
 *	-1	broken or unreadable: warn holds one line, "tcptoprc:LINE:
 *		reason" or "tcptoprc: reason" when no line is to blame.
 *		The caller should then not settings_save over path on
 *		quit: that would replace the user's text, typo and all,
 *		with the defaults.
 * Bytes from the file are shown in warn with anything but printable
 * ASCII replaced by '?', so warn is safe to draw on a terminal. */
int settings_load(struct settings *s, const char *path, char *warn,
    size_t warnlen);

/* Write the fields named in s->set (and s->alert_set) to path,
 * atomically, never through a link and never into another user's file
 * or directory.  The directory is walked one name at a time from '/': a
 * symbolic link on the way is followed only when root or the effective
 * user owns it; a missing directory is made (mode 0700) only inside one
 * the effective user owns; the file's directory must be the effective
 * user's.  path itself must not be a symbolic link, must be a regular
 * file and the effective user's (so root under "sudo -E", with a user's
 * HOME, refuses rather than replace the user's file or write into the
 * user's directories).  The text goes to a new temporary file in the
 * same directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, or the replaced
 * file's mode), is fsynced and renamed over path, and the directory is
 * fsynced, so path holds either the old file or the new one.
 * The old file's lines are kept: each line of a key this tcptop knows is
 * rewritten in place (or dropped when s does not set that key), and
 * comments, blank lines and unknown keys (a newer tcptop's) stay as they
 * were; the keys the file did not have are appended.  A new file starts
 * with a comment saying tcptop rewrites it on quit.
 * Returns 0, or -1 with a one-line reason in err (errlen bytes, cleaned
 * by text_clean: safe on a terminal): a value that settings_load would
 * refuse or one of the refusals above (nothing is written then) or a
 * system call that failed; the temporary file is removed and path is as
 * it was.  The one exception: if only the final directory fsync fails,
 * -1 is returned with the new file already in place. */
int settings_save(const struct settings *s, const char *path, char *err,
    size_t errlen);

/* Whether settings_save would refuse path for where it is (a link, an
 * owner, a directory it may not make), without writing anything: 0 when
 * it would try, or -1 with the reason in err, as settings_save's. */
int settings_check(const char *path, char *err, size_t errlen);

/* Replace path with len bytes of text, atomically and with the same
 * care as settings_save: the directory walked the same way (it must
 * exist and be the effective user's; none is made), path never written
 * through a symbolic link and never when it is not a regular file of
 * the effective user's; the text goes to a new temporary file beside it
 * (O_CREAT|O_EXCL|O_NOFOLLOW), renamed over path.  A new file gets mode,
 * a replaced one keeps its own.  Not synced: a file rewritten every
 * refresh (--prometheus-file) needs no durability, only atomicity.
 * Returns 0, or -1 with a one-line reason in err (cleaned by
 * text_clean); path is then as it was and no temporary file stays. */
int settings_write_file(const char *path, const char *text, size_t len,
    mode_t mode, char *err, size_t errlen);

#endif
