/* Allocation that does not return on failure. */
#include <stdint.h>
#include <stdlib.h>

#include "tcptop/fatal.h"
#include "tcptop/xmalloc.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	p = realloc(p, n != 0 && size != 0 ? n * size : 1);
	if (p == NULL)
		fatalx("out of memory (%zu * %zu bytes)", n, size);
	return p;
}

void *
xshrinkarray(void *p, size_t n, size_t *cap, size_t size)
{
	if (*cap <= 4096 || *cap / 4 < n)
		return p;
	*cap = n * 2 > 64 ? n * 2 : 64;
	return xreallocarray(p, *cap, size);
}
