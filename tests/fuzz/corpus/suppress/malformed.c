// loopcheck-ignore-nextline(blocking/sleep)
// loopcheck-ignore(
// loopcheck-ignore(blocking/sleep: no closing paren
// loopcheck-ignore-function(cpu/hotspot)
int;
/* unterminated comment loopcheck-ignore