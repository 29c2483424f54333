/* unit: what a number measures, and how it reads on the screen, in the
 * text report and in the detail view: one human scale for each unit,
 * the same everywhere.  Pure. */
#ifndef TCPTOP_UNIT_H
#define TCPTOP_UNIT_H

#include <stddef.h>
#include <stdint.h>

enum unit {
	UNIT_NONE,	/* an id: exact, no scale (uid, inode, cookie) */
	UNIT_COUNT,	/* exact up to 99999, then 98K, 1.2M, 45G (1024) */
	UNIT_BYTES,	/* bytes: as UNIT_COUNT */
	UNIT_SEGMENTS,	/* segments: as UNIT_COUNT */
	UNIT_PACKETS,	/* packets: as UNIT_COUNT */
	UNIT_US,	/* a time: 31us, 1.25ms, 12.5ms, 204ms, 1.5s, 58s,
			 * 1m11s, 3h05m, 2d03h */
	UNIT_MS,	/* a time given in milliseconds: the same */
	UNIT_RATE,	/* bytes per second: 512B/s, 1.2K/s, 98K/s, 1.7G/s */
	UNIT_PERMILLE,	/* tenths of a percent: 0.8%, 60%, >999% */
	UNIT_N
};

/* The longest text unit_fmt writes, with its NUL. */
#define UNIT_TEXT_LEN	24

/* Write v in unit u into buf (len bytes, UNIT_TEXT_LEN is enough): at
 * most 6 cells for every value of UNIT_US, UNIT_MS, UNIT_RATE and
 * UNIT_PERMILLE, at most 5 for the counts from 99999 up.  Never fails. */
void unit_fmt(int u, uint64_t v, char *buf, size_t len);

/* The unit's name where a value is not scaled, for the detail view and
 * the help: "bytes", "segments", "packets", or "" (the value carries
 * its unit, or is an id). */
const char *unit_word(int u);

/* A duration in whole seconds, as the narrowest readable text: 12s,
 * 5m03s, 3h05m, 2d03h, 123d, >999d; with a trailing '+' when at_least
 * (a lower bound).  Negative times read as 0s. */
void unit_fmt_age(int64_t ms, int at_least, char *buf, size_t len);

#endif
