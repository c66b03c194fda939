// The main of every test program that has none of its own: doctest's, as
// DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN writes it; the implementation is in doctest_implementation.cpp.
#include <doctest/doctest.h>

int main(int argc, char** argv) { return doctest::Context(argc, argv).run(); }
