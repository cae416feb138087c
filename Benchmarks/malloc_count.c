/* LD_PRELOAD shim that counts heap allocations of a process and prints the total at exit.
 * bench.py runs logsift under it on a short and a long input: the difference divided by the
 * difference in lines is the allocations per line in steady state (the target is 0). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_long allocations;
static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);

/* dlsym may itself call calloc; serve that from a small static arena. */
static char bootstrap[4096];
static size_t bootstrap_used;
static int resolving;

static void resolve(void) {
    if (next_malloc || resolving) return;
    resolving = 1;
    next_malloc = dlsym(RTLD_NEXT, "malloc");
    next_calloc = dlsym(RTLD_NEXT, "calloc");
    next_realloc = dlsym(RTLD_NEXT, "realloc");
    next_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    next_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    resolving = 0;
}

void *malloc(size_t n) {
    resolve();
    atomic_fetch_add(&allocations, 1);
    return next_malloc(n);
}

void *calloc(size_t count, size_t size) {
    if (!next_calloc) {
        if (resolving) {
            size_t n = (count * size + 15) & ~(size_t)15;
            if (bootstrap_used + n > sizeof bootstrap) return NULL;
            void *p = bootstrap + bootstrap_used;
            bootstrap_used += n;
            return p;
        }
        resolve();
    }
    atomic_fetch_add(&allocations, 1);
    return next_calloc(count, size);
}

void *realloc(void *p, size_t n) {
    resolve();
    atomic_fetch_add(&allocations, 1);
    return next_realloc(p, n);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
    resolve();
    atomic_fetch_add(&allocations, 1);
    return next_posix_memalign(out, alignment, n);
}

void *aligned_alloc(size_t alignment, size_t n) {
    resolve();
    atomic_fetch_add(&allocations, 1);
    return next_aligned_alloc(alignment, n);
}

void free(void *p) {
    static void (*next_free)(void *);
    if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap) return;
    if (!next_free) next_free = dlsym(RTLD_NEXT, "free");
    next_free(p);
}

__attribute__((destructor)) static void report(void) {
    fprintf(stderr, "logsift-malloc-count: %ld\n", atomic_load(&allocations));
}
