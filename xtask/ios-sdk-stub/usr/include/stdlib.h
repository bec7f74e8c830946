/* Stand-in for the iOS SDK header, enough for ring's C code to cross-compile without Xcode. */
#pragma once
#include <stddef.h>
void abort(void);
void *malloc(size_t size);
void free(void *pointer);
