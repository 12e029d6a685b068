// The floor: a static C hello world (gcc -O2 -static), the cheapest process start this machine does.
#include <stdio.h>
int main(void) {
    puts("hello");
    return 0;
}
