/*
 * top_term.c: the terminal of `truemem top` (ncurses): started on the
 * terminal top runs in, restored on every way out (q, -n, a signal, a
 * fatal error through xdie_hook), and the wait for the next key. Keeping
 * a selection within the rows on screen is here too: it depends on the
 * screen's size.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"

static SCREEN *top_screen;

/* Leaves curses mode; safe to call twice, and from xdie_hook. */
static void top_restore_terminal(void)
{
	if (top_screen && !isendwin()) {
		curs_set(1);
		endwin();
	}
}

bool top_term_start(struct top_state *st, char *why, size_t len)
{
	const char *term = getenv("TERM");

	if (!term || !*term) {
		snprintf(why, len, "top needs a terminal: TERM is not set");
		return false;
	}
	top_screen = newterm(NULL, stdout, stdin);
	if (!top_screen) {
		snprintf(why, len, "top cannot drive the terminal '%s'", term);
		return false;
	}
	xdie_hook = top_restore_terminal;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	st->color = !st->cfg.no_color && has_colors() && strcmp(term, "dumb") != 0;
	top_draw_init_colors(st);
	return true;
}

void top_term_stop(void)
{
	if (!top_screen)
		return;
	top_restore_terminal();
	delscreen(top_screen);
	top_screen = NULL;
	xdie_hook = NULL;
}

int top_term_key(const struct top_state *st, int ms)
{
	int key;

	if (!st->keys) {
		/* No keyboard (stdin is not a terminal): getch would return at once, forever. */
		napms(ms < 0 || ms > 1000 ? 1000 : ms);
		return TOP_NO_KEY;
	}
	timeout(ms);
	key = getch();
	return key == ERR ? TOP_NO_KEY : key;
}

void top_clamp_cursor(size_t *sel, size_t *first, size_t n)
{
	size_t h = (size_t)top_table_height();

	if (n == 0) {
		*sel = *first = 0;
		return;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < *first)
		*first = *sel;
	if (*sel >= *first + h)
		*first = *sel - h + 1;
	if (*first + h > n)
		*first = n > h ? n - h : 0;
}

void top_clamp_selection(struct top_state *st)
{
	top_clamp_cursor(&st->sel, &st->first, st->nrows);
}
