// doctest's implementation, compiled once for every test program (compiled into each, it had
// cost each about 3 s). Programs with a main of their own (kill_during_save, the MPI tests) link
// this alone; the others link typenet_doctest_main, which adds main.cpp.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
