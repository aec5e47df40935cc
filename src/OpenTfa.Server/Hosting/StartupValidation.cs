using OpenTfa.Core.Security;

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

        if (o.Storage.SqliteMaxSizeMegabytes < 0)
        {
            problems.Add($"OpenTfa:Storage:SqliteMaxSizeMegabytes must be 0 (no limit) or more, was {o.Storage.SqliteMaxSizeMegabytes}");
        }

        foreach ((string name, TimeSpan value) in new[] { ("ConnectTimeout", o.Storage.ConnectTimeout), ("CommandTimeout", o.Storage.CommandTimeout) })
        {
            if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromMinutes(10))
            {
                problems.Add($"OpenTfa:Storage:{name} must be between 00:00:01 and 00:10:00 (whole seconds), was {value}");
            }
        }

        if (o.Storage.Provider == "postgres" && string.IsNullOrEmpty(o.Encryption.Key) && string.IsNullOrEmpty(o.Encryption.KeyFile))
        {
            problems.Add("OpenTfa:Encryption:KeyFile (or Key) is required with the postgres provider: every node must seal and open PINs with the same key");
        }

        if (o.Storage.Provider == "postgres" && string.IsNullOrEmpty(o.Storage.ConnectionString) && string.IsNullOrEmpty(o.Storage.ConnectionStringFile))
        {
            problems.Add("OpenTfa:Storage:ConnectionString (or ConnectionStringFile) is required with the postgres provider");
        }

        if (o.BootstrapApiKey is { Length: < ApiKeyFormat.MinOperatorChosenLength })
        {
            problems.Add($"OpenTfa:BootstrapApiKey must be at least {ApiKeyFormat.MinOperatorChosenLength} characters (the value is not shown); leave it unset to have a strong key generated and printed once");
        }

        if (o.MaxAuthFailuresPerMinute is < 1 or > 1_000_000)
        {
            problems.Add($"OpenTfa:MaxAuthFailuresPerMinute must be between 1 and 1000000, was {o.MaxAuthFailuresPerMinute}");
        }

        foreach (string proxy in o.TrustedProxies.Where(p => !TelemetryOptions.TryParseNetwork(p, out _)))
        {
            problems.Add($"OpenTfa:TrustedProxies: '{proxy}' is not an address or a CIDR network such as 10.0.0.0/8");
        }

        if (o.MaxRequestBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"OpenTfa:MaxRequestBodyBytes must be between 1024 and 16777216, was {o.MaxRequestBodyBytes}");
        }

        if (o.Pins.MaxSmsSegments is < 1 or > 20)
        {
            problems.Add($"OpenTfa:Pins:MaxSmsSegments must be between 1 and 20, was {o.Pins.MaxSmsSegments}");
        }

        if (o.Protection.MaxTestNumberLifetime <= TimeSpan.Zero || o.Protection.MaxTestNumberLifetime > TimeSpan.FromDays(366))
        {
            problems.Add($"OpenTfa:Protection:MaxTestNumberLifetime must be above zero and at most 366 days, was {o.Protection.MaxTestNumberLifetime}");
        }

        if (o.Delivery.Parallelism < 1 || o.Delivery.BatchSize < 1)
        {
            problems.Add("OpenTfa:Delivery:Parallelism and OpenTfa:Delivery:BatchSize must be at least 1");
        }

        else if (o.Delivery.Lease <= o.Delivery.WorstCaseHold)
        {
            problems.Add($"OpenTfa:Delivery:Lease ({o.Delivery.Lease}) must be longer than SendTimeout × ⌈BatchSize ÷ Parallelism⌉ ({o.Delivery.WorstCaseHold}), or another node could send a message this node still holds");
        }

        if (o.Delivery.ClaimDelay < TimeSpan.Zero || o.Delivery.ClaimDelay > TimeSpan.FromSeconds(1))
        {
            problems.Add($"OpenTfa:Delivery:ClaimDelay must be between 0 and 1 second, was {o.Delivery.ClaimDelay}");
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
