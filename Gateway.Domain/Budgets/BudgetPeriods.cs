namespace Gateway.Domain.Budgets;

/// <summary>Budget periods and their calendar windows: a budget resets at local midnight, Monday, or the 1st, in its time zone.</summary>
public static class BudgetPeriods
{
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Lifetime = "lifetime";

    public static bool IsKnown(string? period) => period is Daily or Weekly or Monthly or Lifetime;

    /// <summary>The start of the period that contains <paramref name="instant"/>, as a UTC instant (DateTimeOffset.MinValue for lifetime).</summary>
    public static DateTimeOffset StartOf(string period, TimeZoneInfo zone, DateTimeOffset instant)
    {
        if (period == Lifetime) return DateTimeOffset.MinValue;
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime.Date;
        var start = period switch
        {
            Daily => local,
            // ISO weeks start on Monday.
            Weekly => local.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
            Monthly => new DateTime(local.Year, local.Month, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(period), period, "Unknown budget period."),
        };
        return LocalToUtc(start, zone);
    }

    /// <summary>The start of the period after the one that contains <paramref name="instant"/>; null for lifetime.</summary>
    public static DateTimeOffset? EndOf(string period, TimeZoneInfo zone, DateTimeOffset instant)
    {
        if (period == Lifetime) return null;
        var local = TimeZoneInfo.ConvertTime(StartOf(period, zone, instant), zone).DateTime;
        var next = period switch
        {
            Daily => local.AddDays(1),
            Weekly => local.AddDays(7),
            _ => local.AddMonths(1),
        };
        return LocalToUtc(next, zone);
    }

    // Midnight may not exist (a DST gap) or exist twice: take the first instant at or after it.
    static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        var offsets = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local) : [zone.GetUtcOffset(local)];
        var offset = offsets.Max();
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
