package main

import "syscall"

// The ioctls that get and set a terminal's modes.
const ioctlGetTermios, ioctlSetTermios = syscall.TCGETS, syscall.TCSETS
