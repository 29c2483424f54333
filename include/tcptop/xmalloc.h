/* xmalloc: allocation that does not return on failure. */
#ifndef TCPTOP_XMALLOC_H
#define TCPTOP_XMALLOC_H

#include <stddef.h>

/* Each returns memory the caller frees, or on failure (or a size that
 * overflows) ends tcptop through fatalx with "out of memory (SIZE)",
 * which gives the terminal back before the message (fatal.h).  A size
 * of 0 allocates 1 byte, so NULL is never returned. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);

/* Array p of *cap elements of size bytes, n of them in use, cut to
 * twice n (64 at least) once a burst that grew it past 4096 has gone
 * (n a quarter of it or less); else p unchanged.  Returns the array. */
void *xshrinkarray(void *p, size_t n, size_t *cap, size_t size);

#endif
