namespace OpenTfa.Core.Formats;

public static class UnixTime
{
    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Milliseconds(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMilliseconds(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
