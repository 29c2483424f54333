/* diagram: the geometry of the TCP state diagram (pure: no curses).
 * Each layout is a table of box positions; the edges of trans_edges are
 * routed between the boxes once, on first use, as orthogonal lines that
 * cross but never share a segment.  Also the animation's clock: how hot
 * an edge is some time after it was taken, and when the next frame is
 * due. */
#ifndef TCPTOP_DIAGRAM_H
#define TCPTOP_DIAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/trans.h"

/* Layouts, smallest first. */
enum diagram_layout_id {
	DIAGRAM_TALL,		/* 80x20: the screen at 80x24 */
	DIAGRAM_ROOMY,		/* 124x28: 132x43 and up */
	DIAGRAM_NLAYOUTS
};

#define DIAGRAM_NBOXES	11

/* One state's box.  A box one row high is drawn "[NAME n]", a taller
 * one with a frame. */
struct diagram_box {
	uint8_t state;		/* TCP_*; TCP_CLOSE is shown as CLOSED */
	int16_t y, x, h, w;
};

/* Directions, as bits of a cell's connections. */
#define DIAGRAM_N	0x1
#define DIAGRAM_E	0x2
#define DIAGRAM_S	0x4
#define DIAGRAM_W	0x8

/* One cell of an edge's line: which neighbours it joins (DIAGRAM_*
 * bits), and for the last cell the direction its arrowhead points. */
struct diagram_cell {
	int16_t y, x;
	uint8_t conn;
	uint8_t arrow;		/* 0, or one DIAGRAM_* bit: the last cell */
};

struct diagram_route {
	struct diagram_cell *cells;		/* from the source box on */
	size_t n;				/* 0: no route was found */
	int16_t label_y, label_x, label_w;	/* room for the counter on
						 * the line; label_w 0: none */
};

struct diagram {
	const char *name;
	int h, w;				/* cells it takes */
	struct diagram_box boxes[DIAGRAM_NBOXES];
	struct diagram_route *routes;		/* one per trans_edges */
};

/* Layout id, routed on first use; static, never freed.  NULL for a bad
 * id. */
const struct diagram *diagram_get(int id);

/* The largest layout of at most w x h cells, or -1 when none fits. */
int diagram_pick(int w, int h);

/* The box of a state in d, or NULL. */
const struct diagram_box *diagram_box_of(const struct diagram *d,
    int state);

/* How an edge looks some time after it was taken: it flashes, then
 * fades in steps to idle. */
enum diagram_heat {
	DIAGRAM_IDLE,
	DIAGRAM_WARM,
	DIAGRAM_HOT,
	DIAGRAM_FLASH,
};

/* The fade takes this long in all. */
#define DIAGRAM_FADE_MS		1500
/* Frames come at most this often. */
#define DIAGRAM_FRAME_MS	100

/* The heat at now_ms of an edge last taken at last_ms (INT64_MIN:
 * never). */
int diagram_heat(int64_t last_ms, int64_t now_ms);

/* When the next animation frame is due after now_ms: the next change of
 * heat of any edge of t, no sooner than DIAGRAM_FRAME_MS from now, or
 * INT64_MAX when no edge is fading. */
int64_t diagram_next_frame(const struct trans *t, int64_t now_ms);

#endif
