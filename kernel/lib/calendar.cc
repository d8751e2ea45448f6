// kernel/lib/calendar.cc: days from the civil date (the proleptic Gregorian
// calendar), counted from 1970-01-01.
#include "lib/calendar.h"

u64 unix_time(u32 year, u32 month, u32 day, u32 hour, u32 minute, u32 second)
{
    // Shift the year to start in March, so the leap day is the year's last.
    i64 y = static_cast<i64>(year) - (month <= 2 ? 1 : 0);
    i64 era = y / 400;
    i64 year_of_era = y - era * 400;
    i64 m = month > 2 ? month - 3 : month + 9;
    i64 day_of_year = (153 * m + 2) / 5 + day - 1;
    i64 day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    i64 days = era * 146097 + day_of_era - 719468;
    return static_cast<u64>(days) * 86400 + hour * 3600 + minute * 60 + second;
}
