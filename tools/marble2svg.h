/* SPDX-License-Identifier: MIT */
/*
 * marble2svg: draws the cases of a marble case file (tests/marbles/
 * README.md) as SVG pictures, and writes the Doxygen page that shows
 * them. A host tool of the docs build; it depends on libc only and knows
 * nothing of libuvrx. The functions here are what the command line runs,
 * exposed so that tests/tools/test_marble2svg.c can call them directly.
 */
#ifndef UVRX_TOOLS_MARBLE2SVG_H
#define UVRX_TOOLS_MARBLE2SVG_H

#include <stddef.h>

/* A loaded marble case file: its cases, with every diagram parsed. */
typedef struct marble2svg_file marble2svg_file;

/* Parses the text of a case file. `path` names it in messages and gives
 * the stem of the pictures (`take.txt` -> `take-1.svg`, ...). Returns
 * NULL with a message naming the line in `why` when the file is
 * malformed or memory runs out. */
marble2svg_file *marble2svg_parse(const char *text, const char *path, char *why,
                                  size_t cap);

/* Reads and parses a case file; NULL with a message in `why`. */
marble2svg_file *marble2svg_load(const char *path, char *why, size_t cap);

/* Frees a file; NULL is a no-op. */
void marble2svg_free(marble2svg_file *f);

/* How many cases the file holds. */
size_t marble2svg_count(const marble2svg_file *f);

/* The name (the `case:` sentence) of case `i`, or NULL out of range. */
const char *marble2svg_case_name(const marble2svg_file *f, size_t i);

/* The file's stem: its base name without `.txt`. */
const char *marble2svg_stem(const marble2svg_file *f);

/* Draws case `i` (0-based) as a complete SVG document, to free(); NULL
 * with a message in `why` when `i` is out of range or memory runs out. */
char *marble2svg_svg(const marble2svg_file *f, size_t i, char *why, size_t cap);

/* The command line: `marble2svg [-o DIR] [--page FILE] [--img-dir PATH]
 * FILE.txt...`. Returns the exit status: 0, 1 on a failure (reported on
 * stderr), 2 on bad usage. */
int marble2svg_main(int argc, char **argv);

#endif /* UVRX_TOOLS_MARBLE2SVG_H */
