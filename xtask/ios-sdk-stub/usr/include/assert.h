/* Stand-in for the iOS SDK header, enough for ring's C code to cross-compile without Xcode. */
#pragma once
#define assert(expression) ((void)0)
#define static_assert _Static_assert
