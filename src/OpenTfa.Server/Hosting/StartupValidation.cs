namespace OpenTfa.Server.Hosting;

/// <summary>Refuses to start on a bad configuration, with a message naming the setting (never a secret value).</summary>
internal static class StartupValidation
{
    public static void ThrowIfInvalid(OpenTfaOptions o)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
        {
            problems.Add("OpenTfa:DataDirectory must not be empty");
        }

        if (o.Storage.Provider is not ("sqlite" or "postgres"))
        {
            problems.Add($"OpenTfa:Storage:Provider must be sqlite or postgres, was '{o.Storage.Provider}'");
        }

        if (o.Storage.SqliteSynchronous.ToUpperInvariant() is not ("NORMAL" or "FULL"))
        {
            problems.Add($"OpenTfa:Storage:SqliteSynchronous must be NORMAL or FULL, was '{o.Storage.SqliteSynchronous}'");
        }

        if (o.BootstrapApiKey is { Length: < 16 })
        {
            problems.Add("OpenTfa:BootstrapApiKey must be at least 16 characters (the value is not shown)");
        }

        if (o.MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"OpenTfa:MaxRequestBodyBytes must be between 1024 and 16777216, was {o.MaxRequestBodyBytes}");
        }

        if (o.Pins.MaxSmsSegments is < 1 or > 20)
        {
            problems.Add($"OpenTfa:Pins:MaxSmsSegments must be between 1 and 20, was {o.Pins.MaxSmsSegments}");
        }

        if (o.Delivery.Parallelism < 1 || o.Delivery.BatchSize < 1)
        {
            problems.Add("OpenTfa:Delivery:Parallelism and OpenTfa:Delivery:BatchSize must be at least 1");
        }

        if (o.Retention.PinAfterExpiry < TimeSpan.Zero || o.Retention.History < o.Retention.PinAfterExpiry || o.Retention.Interval <= TimeSpan.Zero)
        {
            problems.Add("OpenTfa:Retention: PinAfterExpiry must not be negative, History must be at least PinAfterExpiry, and Interval must be positive");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid OpenTfa configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }
    }
}
