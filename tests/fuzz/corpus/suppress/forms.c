#include <unistd.h>
static void slow(void)
{
	sleep(1); // loopcheck-ignore(blocking/sleep): start-up only
	/* loopcheck-ignore-next-line(blocking/*, cpu/hot?pot): measured, 2 ms */
	sleep(2);
	sleep(3); /* loopcheck-ignore */
}

// loopcheck-ignore-function(blocking): runs before the loop starts
static void init(int a,
		 int b)
{
	slow();
}
