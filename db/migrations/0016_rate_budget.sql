-- One rate budget for the whole bot, shared by its processes (Discord's global limit is per bot). Time is cut
-- into fixed ticks (a tenth of a second, numbered from the Unix epoch); `used` is how many sends the processes
-- together took in the tick, never more than the tick's share of `delivery.pace`. `granted` is what the last
-- claim on the row got, so that one statement both takes and tells. Old ticks are deleted now and then.
CREATE TABLE rate_budget (
    tick INTEGER NOT NULL,
    used INTEGER NOT NULL CHECK (used >= 0),
    granted INTEGER NOT NULL CHECK (granted >= 0),
    PRIMARY KEY (tick)
);
