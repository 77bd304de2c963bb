/* main.c — the `sohoa` command: dispatches to subcommands. */
#include <stdio.h>
int main(void)
{
    puts("sohoa: under construction");
    return 0;
}
