#ifndef LOGSIFT_CPCRE2_SHIM_H
#define LOGSIFT_CPCRE2_SHIM_H
// Only what Swift cannot see in pcre2.h: the code unit width has to be chosen before the
// include. (PCRE2_UNSET, a cast-valued macro, is rebuilt in Swift as MatchData.unset.)
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
