const char *s = "// loopcheck-ignore(blocking/sleep) is not a comment here";
const char c = '"'; const char d = '\''; const char *t = "\"/* still a string */\\";
/* a block comment with // inside and a line
   continuation \
   loopcheck-ignore(blocking/file-io): inside a block comment */
int x; // a line comment with a continuation \
loopcheck-ignore(blocking/lock): continued onto this line
#define M(a) a /* loopcheck-ignore-next-line */
