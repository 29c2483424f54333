/* Network namespaces: naming one, entering it and coming back, and
 * finding every one on the machine. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "tcptop/fatal.h"
#include "tcptop/netns.h"
#include "tcptop/text.h"
#include "tcptop/xmalloc.h"

/* Our own namespace, to come back to. */
static int netns_home = -1;

enum netns_kind
netns_classify(const char *spec)
{
	const char *p;
	long pid;

	if (spec == NULL || *spec == '\0')
		return NETNS_BAD;
	if (strchr(spec, '/') != NULL)
		return NETNS_PATH;
	for (p = spec; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			break;
	if (*p == '\0') {
		if (strlen(spec) > 9)
			return NETNS_BAD;
		pid = strtol(spec, NULL, 10);
		return pid > 0 ? NETNS_PID : NETNS_BAD;
	}
	if (strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return NETNS_BAD;
	return NETNS_NAME;
}

int
netns_spec_path(const char *spec, char *buf, size_t len)
{
	int n;

	switch (netns_classify(spec)) {
	case NETNS_NAME:
		n = snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, spec);
		break;
	case NETNS_PID:
		n = snprintf(buf, len, "/proc/%s/ns/net", spec);
		break;
	case NETNS_PATH:
		n = snprintf(buf, len, "%s", spec);
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Whether fd is a network namespace.  NS_GET_NSTYPE (4.11) says which
 * kind; an older kernel only tells that it is some namespace. */
static int
netns_is_net(int fd)
{
	struct statfs sfs;
	int type;

	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != -1)
		return type == CLONE_NEWNET;
	if (fstatfs(fd, &sfs) == -1 || sfs.f_type != NSFS_MAGIC)
		return 0;
	return errno == ENOTTY || errno == EINVAL;
}

int
netns_open(const char *spec, int *usage, char *err, size_t errlen)
{
	char path[PATH_MAX];
	enum netns_kind kind = netns_classify(spec);
	int fd;

	*usage = 1;
	if (netns_spec_path(spec, path, sizeof path) == -1) {
		snprintf(err, errlen, "-N: \"%.64s\" is not a namespace name, "
		    "path or pid", spec);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		int e = errno;

		if (e == EACCES || e == EPERM)
			*usage = 0;
		if (kind == NETNS_NAME && e == ENOENT)
			snprintf(err, errlen, "-N %.64s: no such network "
			    "namespace (%s)", spec, path);
		else if (kind == NETNS_PID && e == ENOENT)
			snprintf(err, errlen, "-N %.64s: no such process",
			    spec);
		else
			snprintf(err, errlen, "-N %.64s: %s: %s", spec, path,
			    strerror(e));
		return -1;
	}
	if (!netns_is_net(fd)) {
		snprintf(err, errlen, "-N %.64s: %s is not a network "
		    "namespace", spec, path);
		close(fd);
		return -1;
	}
	*usage = 0;
	return fd;
}

int
netns_init(void)
{
	if (netns_home != -1)
		return 0;
	netns_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return netns_home == -1 ? -1 : 0;
}

int
netns_is_home(int fd)
{
	struct stat a, b;

	if (fd == -1)
		return 1;
	if (fstat(fd, &a) == -1 || (netns_home != -1 ? fstat(netns_home, &b) :
	    stat("/proc/self/ns/net", &b)) == -1)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
netns_enter(int fd)
{
	if (fd == -1)
		return 0;
	if (netns_init() == -1)
		return -1;
	return setns(fd, CLONE_NEWNET);
}

void
netns_leave(void)
{
	/* Failing to come back would leave every later socket and
	 * /proc/net file in the wrong namespace: nothing sane can go on. */
	if (netns_home != -1 && setns(netns_home, CLONE_NEWNET) == -1)
		fatal("cannot return to tcptop's own network namespace");
}

int
netns_run(int fd, int (*fn)(void *), void *arg)
{
	int rc, e;

	if (fd == -1)
		return fn(arg);
	if (netns_enter(fd) == -1)
		return -1;
	rc = fn(arg);
	e = errno;
	netns_leave();
	errno = e;
	return rc;
}

void
netns_sanitize(const char *s, char *buf, size_t len)
{
	text_clean(buf, len, s, strlen(s), TEXT_ASCII | TEXT_NOSPACE);
}

/* The table of --all-netns. */
struct netns_tab {
	struct netns_ent *ents;
	size_t n, cap;
};

static struct netns_ent *
netns_tab_find(struct netns_tab *t, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->ents[i].dev == dev && t->ents[i].ino == ino &&
		    (i == 0 || t->ents[i].alive || t->ents[i].fd != -1))
			return &t->ents[i];
	return NULL;
}

static struct netns_ent *
netns_tab_add(struct netns_tab *t, dev_t dev, ino_t ino)
{
	struct netns_ent *e;

	if (t->n == UINT16_MAX + 1)
		return NULL;	/* conn_sample.netns is 16 bits */
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->ents = xreallocarray(t->ents, t->cap, sizeof *t->ents);
	}
	e = &t->ents[t->n++];
	memset(e, 0, sizeof *e);
	e->dev = dev;
	e->ino = ino;
	e->fd = -1;
	snprintf(e->label, sizeof e->label, "net:[%llu]",
	    (unsigned long long)ino);
	return e;
}

struct netns_tab *
netns_tab_new(int fd, const char *label)
{
	struct netns_tab *t = xcalloc(1, sizeof *t);
	struct netns_ent *e;
	struct stat st;

	if (fd != -1 ? fstat(fd, &st) : stat("/proc/self/ns/net", &st))
		memset(&st, 0, sizeof st);
	e = netns_tab_add(t, st.st_dev, st.st_ino);
	e->alive = 1;
	if (label != NULL)
		netns_sanitize(label, e->label, sizeof e->label);
	e->named = label != NULL;
	return t;
}

void
netns_tab_free(struct netns_tab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 1; i < t->n; i++)
		if (t->ents[i].fd != -1)
			close(t->ents[i].fd);
	free(t->ents);
	free(t);
}

/* One namespace seen at path: a new entry, or the known one marked
 * alive.  name is its /run/netns name, pid a process in it (0 none). */
static int
netns_tab_see(struct netns_tab *t, const char *path, const char *name,
    pid_t pid)
{
	struct netns_ent *e;
	struct stat st;
	int changed = 0;

	if (stat(path, &st) == -1)
		return 0;	/* gone meanwhile, or not ours to see */
	if ((e = netns_tab_find(t, st.st_dev, st.st_ino)) == NULL) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd == -1)
			return 0;
		if (!netns_is_net(fd) ||
		    (e = netns_tab_add(t, st.st_dev, st.st_ino)) == NULL) {
			close(fd);
			return 0;
		}
		e->fd = fd;
		changed = 1;
	}
	e->alive = 1;
	/* A name beats a pid; the lowest pid is the steadiest. */
	if (name != NULL && !e->named) {
		netns_sanitize(name, e->label, sizeof e->label);
		e->named = 1;
	}
	if (pid > 0 && (e->pid == 0 || pid < e->pid)) {
		e->pid = pid;
		if (!e->named)
			snprintf(e->label, sizeof e->label, "pid:%ld",
			    (long)pid);
	}
	return changed;
}

int
netns_tab_scan(struct netns_tab *t)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	size_t i;
	int changed = 0;

	for (i = 0; i < t->n; i++) {
		t->ents[i].alive = 0;
		t->ents[i].pid = 0;
	}
	/* Names first, so a named namespace is labelled by its name. */
	if ((dir = opendir(NETNS_RUN_DIR)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", NETNS_RUN_DIR,
			    de->d_name);
			changed += netns_tab_see(t, path, de->d_name, 0);
		}
		closedir(dir);
	}
	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%ld/ns/net", pid);
		changed += netns_tab_see(t, path, NULL, (pid_t)pid);
	}
	closedir(dir);
	t->ents[0].alive = 1;
	for (i = 1; i < t->n; i++) {
		struct netns_ent *e = &t->ents[i];

		if (!e->alive && e->fd != -1) {
			close(e->fd);
			e->fd = -1;
			changed++;
		}
	}
	return changed;
}

const struct netns_ent *
netns_tab_ents(const struct netns_tab *t, size_t *n)
{
	*n = t->n;
	return t->ents;
}

const char *
netns_tab_label(const struct netns_tab *t, size_t i)
{
	if (t == NULL)
		return "";
	return i < t->n ? t->ents[i].label : "?";
}
