/* Status line (prompt, messages, collector errors, what is filtered) and
 * the function-key bar built from the keymap. */
#include <stdio.h>
#include <string.h>

#include "pane.h"
#include "tcptop/keymap.h"
#include "tcptop/field.h"
#include "tcptop/tcpstate.h"

/* The group list's summary, or the group drilled into, first: the
 * list's rows are then that group's only. */
static int
pane_status_group(const struct tui *t, char *line, size_t len)
{
	if (t->mode == TUI_GROUPS && t->groups != NULL)
		return snprintf(line, len, "%zu group%s by %s  sort %s",
		    t->groups->n, t->groups->n == 1 ? "" : "s",
		    group_kinds[t->group_kind].name,
		    t->group_sort == 0 ? "count" :
		    tcpstate_name(t->group_sort));
	if (t->drill)
		return snprintf(line, len, "group: %s %s  ",
		    group_kinds[t->group_kind].name, t->drill_label);
	line[0] = '\0';
	return 0;
}

static void
pane_status_draw(const struct ui_frame *f, struct pane_rect r)
{
	const struct tui *t = f->tui;
	char line[640];
	int n;

	ui_fill(r.y, r.x, r.w, UI_NORMAL);
	if (t->prompt != TUI_PROMPT_NONE) {
		/* Label, input, a block for the cursor, then the error. */
		snprintf(line, sizeof line, "%s: ", tui_prompt_label(t->prompt));
		n = ui_put(r.y, r.x, r.w, UI_PROMPT, line);
		/* Long input scrolls so its end stays in view. */
		{
			const char *in = t->input;
			int room = r.w - n - 1, len = (int)strlen(in);

			if (len > room && room > 0)
				in += len - room;
			n += ui_put(r.y, r.x + n, r.w - n - 1, UI_NORMAL, in);
		}
		ui_put(r.y, r.x + n, 1, UI_SELECTED, " ");
		n++;
		if (t->prompt_err[0] != '\0' && n + 2 < r.w) {
			snprintf(line, sizeof line, " %s", t->prompt_err);
			ui_put(r.y, r.x + n + 1, r.w - n - 1, UI_ERROR, line);
		}
		return;
	}
	if (t->msg[0] != '\0') {
		ui_put(r.y, r.x, r.w, t->msg_error ? UI_ERROR : UI_WARN, t->msg);
		return;
	}
	if (f->snap->error != NULL && f->snap->error[0] != '\0') {
		snprintf(line, sizeof line, "collector: %s (showing the last "
		    "good data)", f->snap->error);
		ui_put(r.y, r.x, r.w, UI_ERROR, line);
		return;
	}
	n = pane_status_group(t, line, sizeof line);
	if (t->mode != TUI_GROUPS)
		snprintf(line + n, sizeof line - (size_t)n, "%zu of %zu shown  "
		    "sort %s %s", f->view->n, f->view->total,
		    field_table[t->sort_key].name,
		    t->sort_reverse ? "desc" : "asc");
	n = (int)strlen(line);
	if (t->port_text[0] != '\0')
		n += snprintf(line + n, sizeof line - (size_t)n, "  port %s",
		    t->port_text);
	if (t->expr_text[0] != '\0' && n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, "  filter %s",
		    t->expr_text);
	if (t->filter.families != (FILTER_INET4 | FILTER_INET6) &&
	    n < (int)sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, "  %s only",
		    t->filter.families == FILTER_INET4 ? "IPv4" : "IPv6");
	if (t->search[0] != '\0' && n < (int)sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, "  search \"%s\"",
		    t->search);
	ui_put(r.y, r.x, r.w, UI_DIM, line);
}

static void
pane_keys_draw(const struct ui_frame *f, struct pane_rect r)
{
	size_t i;
	int x = r.x;
	char name[16];

	ui_fill(r.y, r.x, r.w, UI_KEYLABEL);
	for (i = 0; i < keymap_n; i++) {
		const struct keymap_entry *k = &keymap[i];
		int key = k->keys[0], j, lw;
		const char *bar;

		if (k->bar == NULL || !(k->modes & f->tui->mode))
			continue;
		/* The bar names the function key when there is one. */
		for (j = 0; j < 4 && k->keys[j] != 0; j++)
			if (k->keys[j] >= TUI_KEY_F1 &&
			    k->keys[j] <= TUI_KEY_F10) {
				key = k->keys[j];
				break;
			}
		bar = keymap_bar(k, f->tui);
		keymap_key_name(key, name, sizeof name);
		/* "F1Help", as htop; a letter key gets a space: "p Port". */
		if (key < TUI_KEY_F1)
			strcat(name, " ");
		lw = (int)strlen(bar);
		if (x + (int)strlen(name) + lw > r.x + r.w)
			break;
		x += ui_put(r.y, x, r.w - (x - r.x), UI_KEY, name);
		x += ui_put(r.y, x, r.w - (x - r.x), UI_KEYLABEL, bar);
		x++;
	}
}

const struct pane_ops pane_status = { "status", pane_status_draw };
const struct pane_ops pane_keys = { "keys", pane_keys_draw };
