/* Stand-in for the iOS SDK header, enough for ring's C code to cross-compile without Xcode. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 0
#define TARGET_OS_IPHONE 1
#define TARGET_OS_IOS 1
#define TARGET_OS_SIMULATOR 1
#define TARGET_OS_WATCH 0
#define TARGET_OS_TV 0
