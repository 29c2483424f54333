/* The reports of the other batch modes: --lesson's steps, --kill's
 * outcome and --group's groups, as text and JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcptop/column.h"
#include "tcptop/json.h"
#include "tcptop/output.h"
#include "tcptop/tcpstate.h"

#include "output_int.h"

static const char *
output_side(int side)
{
	return side == LESSON_SERVER ? "server" : "client";
}

/* Words of text on lines of at most width columns, each after indent. */
static void
output_wrap(FILE *fp, const char *text, const char *indent, size_t width)
{
	size_t col = 0, w, ind = strlen(indent);
	const char *p = text;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = strcspn(p, " ");
		if (col > 0 && col + 1 + w > width) {
			fputc('\n', fp);
			col = 0;
		}
		if (col == 0) {
			fputs(indent, fp);
			col = ind;
		} else {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, w, fp);
		col += w;
		p += w;
	}
	if (col > 0)
		fputc('\n', fp);
}

int
output_lesson_text(FILE *fp, const struct lesson_info *li,
    const char *netns)
{
	size_t i;

	fprintf(fp, "step %d/%d: %s", li->n, li->nsteps, li->title);
	if (netns != NULL)
		fprintf(fp, " [netns %s]", netns);
	fputc('\n', fp);
	output_wrap(fp, li->text, "  ", 79);
	for (i = 0; i < li->nexpect; i++)
		fprintf(fp, "%s%s :%u %s", i == 0 ? "  expect: " : ", ",
		    output_side(li->expect[i].side), li->expect[i].port,
		    tcpstate_name(li->expect[i].state));
	if (li->nexpect > 0)
		fputc('\n', fp);
	if (li->note[0] != '\0')
		output_wrap(fp, li->note, "  (", 79);
	return ferror(fp) ? -1 : 0;
}

int
output_lesson_json(FILE *fp, const struct lesson_info *li,
    const char *netns)
{
	size_t i;

	fprintf(fp, "{\"lesson\":{\"step\":%d,\"steps\":%d,\"part\":", li->n,
	    li->nsteps);
	json_string(fp, li->part, strlen(li->part));
	fputs(",\"title\":", fp);
	json_string(fp, li->title, strlen(li->title));
	fputs(",\"text\":", fp);
	json_string(fp, li->text, strlen(li->text));
	fputs(",\"netns\":", fp);
	json_nullable(fp, netns);
	fprintf(fp, ",\"held\":%s,\"note\":", li->held ? "true" : "false");
	json_string(fp, li->note, strlen(li->note));
	fputs(",\"expect\":[", fp);
	for (i = 0; i < li->nexpect; i++) {
		const struct lesson_expect *e = &li->expect[i];

		fprintf(fp, "%s{\"port\":%u,\"side\":\"%s\",\"state\":\"%s\","
		    "\"seen\":", i == 0 ? "" : ",", e->port,
		    output_side(e->side), tcpstate_name(e->state));
		if (e->seen != 0)
			fprintf(fp, "\"%s\"}", tcpstate_name(e->seen));
		else
			fputs("null}", fp);
	}
	fputs("]}}\n", fp);
	return ferror(fp) ? -1 : 0;
}

/* --kill ---------------------------------------------------------------- */

/* An item's result: what went, or in a preview what would. */
static const char *
output_kill_result(const struct kill_item *it, int preview)
{
	if (preview && it->err == KILL_PENDING)
		return it->peer ? "would be destroyed, and its peer on this "
		    "host reset" : "would be destroyed";
	return it->err == 0 ? "ok" : kill_result(it);
}

int
output_kill_text(FILE *fp, const struct snapshot *r,
    const struct kill_list *k, int preview)
{
	char ep[CONN_ENDPOINT_LEN], rm[CONN_ENDPOINT_LEN], sum[200];
	size_t i, wl = 5, wr = 6, l, spared = kill_count_spared(k);

	(void)r;
	for (i = 0; i < k->n; i++) {
		l = strlen(conn_fmt_endpoint(&k->items[i].s, 0, ep,
		    sizeof ep));
		wl = l > wl ? l : wl;
		l = strlen(conn_fmt_endpoint(&k->items[i].s, 1, ep,
		    sizeof ep));
		wr = l > wr ? l : wr;
	}
	if (k->n > 0)
		fprintf(fp, "%-4s %-*s %-*s %-11s %s\n", "FAM", (int)wl,
		    "LOCAL", (int)wr, "REMOTE", "STATE", "RESULT");
	for (i = 0; i < k->n; i++) {
		const struct kill_item *it = &k->items[i];

		fprintf(fp, "%-4s %-*s %-*s %-11s %s\n",
		    conn_family_name(it->s.family),
		    (int)wl, conn_fmt_endpoint(&it->s, 0, ep, sizeof ep),
		    (int)wr, conn_fmt_endpoint(&it->s, 1, rm, sizeof rm),
		    tcpstate_name(it->s.state), output_kill_result(it,
		    preview));
	}
	if (!preview) {
		kill_summary(k, sum, sizeof sum);
		fprintf(fp, "%zu matched: %s\n", k->n, sum);
	} else if (spared > 0)
		fprintf(fp, "%zu matched: %zu would be destroyed, %zu spared "
		    "(your own SSH session); nothing destroyed without --yes\n",
		    k->n, kill_count_pending(k), spared);
	else
		fprintf(fp, "%zu matched: %zu would be destroyed; nothing "
		    "destroyed without --yes\n", k->n, kill_count_pending(k));
	return ferror(fp) ? -1 : 0;
}

int
output_kill_json(FILE *fp, const struct snapshot *r,
    const struct kill_list *k, int preview)
{
	size_t i;

	output_json_open(fp, r);
	fprintf(fp, ", \"preview\": %s, \"killed\": [",
	    preview ? "true" : "false");
	for (i = 0; i < k->n; i++) {
		const struct kill_item *it = &k->items[i];
		char la[CONN_ADDR_LEN], ra[CONN_ADDR_LEN];
		const char *res = output_kill_result(it, preview);

		fprintf(fp, "%s{\"family\": \"%s\", \"local_addr\": \"%s\", "
		    "\"local_port\": %u, \"remote_addr\": \"%s\", "
		    "\"remote_port\": %u, \"state\": \"%s\", "
		    "\"cookie\": \"%" PRIu64 "\", \"own_session\": %s, "
		    "\"peer_local\": %s, \"result\": ",
		    i ? ", " : "", conn_family_name(it->s.family),
		    conn_fmt_addr(&it->s, 0, la, sizeof la), it->s.lport,
		    conn_fmt_addr(&it->s, 1, ra, sizeof ra), it->s.rport,
		    tcpstate_name(it->s.state), it->s.cookie,
		    it->own ? "true" : "false", it->peer ? "true" : "false");
		json_string(fp, res, strlen(res));
		fputc('}', fp);
	}
	fprintf(fp, "], \"matched\": %zu, \"destroyed\": %zu, "
	    "\"failed\": %zu, \"spared\": %zu, \"changed\": %zu, "
	    "\"peers_local\": %zu}\n", k->n, kill_count_ok(k),
	    kill_count_failed(k), kill_count_spared(k), kill_count_changed(k),
	    k->peers);
	return ferror(fp) ? -1 : 0;
}

/* Group reports ---------------------------------------------------------- */

int
output_groups_text(FILE *fp, const struct snapshot *r,
    const struct view *v, const struct groups *g)
{
	char when[32], label[GROUP_LABEL_LEN];
	time_t sec = (time_t)(r->realtime_ns / 1000000000);
	const char *title = group_kinds[g->kind].title;
	struct tm tm;
	size_t i, k, w = strlen(title);

	localtime_r(&sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(fp, "%s: %zu sockets in %zu groups by %s%s\n", when,
	    v->total, g->n, group_kinds[g->kind].name,
	    r->inconsistent ? " [inconsistent snapshot]" : "");
	output_text_alerts(fp, r);
	for (i = 0; i < g->n; i++) {
		group_label(g, &g->v[i].key, label, sizeof label);
		w = strlen(label) > w ? strlen(label) : w;
	}
	fprintf(fp, "%-*s %7s  STATES\n", (int)w, title, "COUNT");
	for (i = 0; i < g->n; i++) {
		group_label(g, &g->v[i].key, label, sizeof label);
		fprintf(fp, "%-*s %7u ", (int)w, label, g->v[i].count);
		for (k = 0; k < TCPSTATE_MAX; k++)
			if (g->v[i].states[tcpstate_order[k]] > 0)
				fprintf(fp, " %s %u",
				    tcpstate_name(tcpstate_order[k]),
				    g->v[i].states[tcpstate_order[k]]);
		fputc('\n', fp);
	}
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

int
output_groups_json(FILE *fp, const struct snapshot *r,
    const struct view *v, const struct groups *g)
{
	char label[GROUP_LABEL_LEN];
	const char *sep;
	size_t i, k;

	output_json_head(fp, r, v);
	fprintf(fp, "}, \"group\": \"%s\", \"grouped\": %zu, "
	    "\"ungrouped\": %zu, \"groups\": [", group_kinds[g->kind].name,
	    g->total, g->ungrouped);
	for (i = 0; i < g->n; i++) {
		group_label(g, &g->v[i].key, label, sizeof label);
		fputs(i ? ", {\"key\": " : "{\"key\": ", fp);
		json_string(fp, label, strlen(label));
		fprintf(fp, ", \"count\": %u, \"states\": {", g->v[i].count);
		sep = "";
		for (k = 0; k < TCPSTATE_MAX; k++)
			if (g->v[i].states[tcpstate_order[k]] > 0) {
				fprintf(fp, "%s\"%s\": %u", sep,
				    tcpstate_name(tcpstate_order[k]),
				    g->v[i].states[tcpstate_order[k]]);
				sep = ", ";
			}
		fputs("}}", fp);
	}
	fputc(']', fp);
	output_json_alerts(fp, r);
	fputs("}\n", fp);
	return ferror(fp) ? -1 : 0;
}
