/* Allocation that does not return on failure. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcptop/xmalloc.h"

static void (*xmalloc_hook)(void);

void
xmalloc_on_fail(void (*fn)(void))
{
	xmalloc_hook = fn;
}

static void
xmalloc_fail(void)
{
	if (xmalloc_hook != NULL)
		xmalloc_hook();
	fputs("tcptop: out of memory\n", stderr);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xmalloc_fail();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_fail();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_fail();
	p = realloc(p, n != 0 && size != 0 ? n * size : 1);
	if (p == NULL)
		xmalloc_fail();
	return p;
}
