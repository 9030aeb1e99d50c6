/* engine/follow.h: `netscope follow` (engine/follow.c). */
#ifndef FOLLOW_H
#define FOLLOW_H

/* argv[0] is "follow".  Returns the exit status: 0 printed, 1 no such flow
 * or a read error after it, 2 usage or file errors. */
int follow_main(int argc, char **argv);

#endif
