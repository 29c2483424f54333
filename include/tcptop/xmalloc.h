/* xmalloc: allocation that does not return on failure. */
#ifndef TCPTOP_XMALLOC_H
#define TCPTOP_XMALLOC_H

#include <stddef.h>

/* Each prints "tcptop: out of memory" and exits 1 on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);

/* Run fn before the out-of-memory message and exit, so that the message
 * reaches a restored terminal (htop fail()). */
void xmalloc_on_fail(void (*fn)(void));

#endif
