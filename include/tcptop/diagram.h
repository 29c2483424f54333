/* diagram: the geometry of the TCP state diagram (pure: no curses).
 * Each layout is data: a table of boxes, laid out as RFC 793 draws the
 * machine (CLOSED on top, opening below it, ESTABLISHED in the middle,
 * the active close down the left, the passive close down the right),
 * and a table of routes, one per edge of trans_edges: the corners of
 * its line, or a stub (a marked counter beside the source box) for the
 * aborts into CLOSED that would otherwise cross the whole figure.  The
 * big layout is the compact one scaled, with framed boxes.  Also the
 * animation's clock: how hot an edge is some time after it was taken,
 * and when the next frame is due. */
#ifndef TCPTOP_DIAGRAM_H
#define TCPTOP_DIAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "tcptop/trans.h"

/* Layouts, smallest first. */
enum diagram_layout_id {
	DIAGRAM_COMPACT,	/* 80x13, one-row boxes: 80x24 with a list */
	DIAGRAM_ROOMY,		/* 120x27, framed boxes: 132x43 and up */
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

/* How an edge is shown. */
enum diagram_style {
	DIAGRAM_LINE,		/* a line of cells into the target box */
	DIAGRAM_STUB,		/* a mark and the counter beside the source
				 * box: "x12", an abort into CLOSED */
};

struct diagram_route {
	struct diagram_cell *cells;		/* from the source box on;
						 * none for a stub */
	size_t n;
	uint8_t style;				/* enum diagram_style */
	uint8_t sink;				/* ends on the sink box */
	int16_t label_y, label_x, label_w;	/* the counter's room: on
						 * the line, beside it, or
						 * the stub itself */
};

struct diagram {
	const char *name;
	int h, w;				/* cells it takes */
	struct diagram_box boxes[DIAGRAM_NBOXES];
	struct diagram_box sink;		/* CLOSED again, at the end
						 * of the close: no count */
	int16_t legend_y, legend_x, legend_w;	/* two lines explaining
						 * the stubs' marks */
	struct diagram_route *routes;		/* one per trans_edges */
};

/* Layout id, built on first use; static, never freed.  NULL for a bad
 * id. */
const struct diagram *diagram_get(int id);

/* The largest layout of at most w x h cells, or -1 when none fits. */
int diagram_pick(int w, int h);

/* The box of a state in d, or NULL. */
const struct diagram_box *diagram_box_of(const struct diagram *d,
    int state);

/* The box edge i's line ends on in d: the sink or the target's box. */
const struct diagram_box *diagram_target(const struct diagram *d, size_t i);

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
