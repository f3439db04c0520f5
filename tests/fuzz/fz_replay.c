/* SPDX-License-Identifier: MIT */
/*
 * Replays every file of a fuzz corpus directory through the same decoder
 * and checks as the libFuzzer target (fz.h), so the committed corpus runs
 * in every preset's ctest. Usage: fz_replay <dir>... or fz_replay -v
 * <file> (prints the decoded spec and the model's signals).
 */
#include "fz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL)
        return -1;
    for (;;) {
        size_t got;
        if (n == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 4096;
            nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *data = buf;
    *size = n;
    return 0;
}

static bool
replay(const char *path, bool verbose)
{
    static fz_spec sp;
    static fz_list model;
    static char desc[8192];
    char why[512];
    uint8_t *data = NULL;
    size_t size = 0;
    bool ok;

    if (read_file(path, &data, &size) != 0) {
        fprintf(stderr, "%s: cannot read\n", path);
        return false;
    }
    fz_decode(data, size, &sp);
    free(data);
    if (verbose) {
        fz_describe(&sp, desc, sizeof desc);
        printf("spec: %s\nmodel:", desc);
        fz_model(&sp, &model);
        for (size_t i = 0; i < model.n; i++)
            printf(" %c%lld@(%lld,%d,%d)", model.s[i].kind,
                   (long long)model.s[i].v, (long long)model.s[i].k.t,
                   model.s[i].k.phase, model.s[i].k.seq);
        printf("\ncut: (%lld,%d,%d)%s\n", (long long)model.cut.t,
               model.cut.phase, model.cut.seq,
               model.overflow ? " overflow" : "");
    }
    ok = fz_run(&sp, why, sizeof why);
    if (!ok) {
        fz_describe(&sp, desc, sizeof desc);
        fprintf(stderr, "FAIL %s: %s\n  spec: %s\n", path, why, desc);
    }
    return ok;
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
replay_dir(const char *dir, size_t *runs)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int failures = 0;

    if (d == NULL) {
        fprintf(stderr, "%s: cannot open\n", dir);
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            if (names == NULL)
                abort();
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] == NULL)
            abort();
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (!replay(names[i], false))
            failures++;
        (*runs)++;
        free(names[i]);
    }
    free(names);
    return failures;
}

int
main(int argc, char **argv)
{
    size_t runs = 0;
    int failures = 0;

    if (argc == 3 && strcmp(argv[1], "-v") == 0)
        return replay(argv[2], true) ? 0 : 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s <corpus dir>... | -v <file>\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        failures += replay_dir(argv[i], &runs);
    printf("replayed %zu inputs, %d failed\n", runs, failures);
    return failures == 0 && runs > 0 ? 0 : 1;
}
