#include "test-util.h"
int main() { return test_finish("test-generate"); }
