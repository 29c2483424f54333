/* ui: the terminal, through ncursesw: opening it and always restoring
 * it, keys, colours.  The drawing primitives are for the screens only
 * (src/screen.h); layout.h draws frames.  Only ui.c, layout.c and the
 * screen and pane files speak curses. */
#ifndef TCPTOP_UI_H
#define TCPTOP_UI_H

#include <stddef.h>

/* Take over the terminal (stdin and stdout must be one), with the mouse
 * when mouse is nonzero (clicks and the wheel, as htop).  Returns 0, or
 * -1 with a one-line reason in err (no terminal, unknown TERM).  The
 * terminal is restored by ui_close, which also runs at exit and in
 * fatal before its message (ui_open registers it as fatal's hook), so
 * out of memory too. */
int ui_open(int color, int ascii, int mouse, char *err, size_t errlen);

/* Restore the terminal; safe to call twice and when never opened. */
void ui_close(void);

/* The descriptor to poll for keys. */
int ui_fd(void);

/* The next key (keys.h: K_* for the keys curses decodes), or -1 when
 * none is waiting.  A resize comes as K_RESIZE after the terminal size
 * was taken in; the mouse as K_CLICK, K_WHEEL_UP or K_WHEEL_DOWN, other
 * mouse events not at all. */
int ui_getkey(void);

/* Where the last K_CLICK or wheel was: row y, column x, from 0. */
void ui_mouse_at(int *y, int *x);

/* Colours on or off (when the terminal has them). */
void ui_color(int on);

/* The terminal's size. */
void ui_size(int *rows, int *cols);

/* For the tests: curses on /dev/null as terminal type term, rows x
 * cols, ASCII only; no terminal needed.  Returns 0, or -1 when term is
 * unknown.  ui_close ends it. */
int ui_open_null(const char *term, int rows, int cols);

/* For the tests: a new size, as a resize would give. */
void ui_resize(int rows, int cols);

/* For the tests: where the next K_CLICK or wheel is (ui_mouse_at). */
void ui_mouse_put(int y, int x);

/* For the tests: line y as drawn (ASCII; '?' for anything else) into
 * buf, len bytes. */
void ui_line(int y, char *buf, size_t len);

/* Begin a frame: everything blank.  End it: the cells that changed go
 * out (all of them with repaint). */
void ui_begin(void);
void ui_end(int repaint);

#endif
