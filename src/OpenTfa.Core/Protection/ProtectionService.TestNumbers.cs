using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Protection;

/// <summary>One test number added, changed (PIN or expiry) or removed by a policy change; <see cref="Number"/> is canonical.</summary>
public sealed record TestNumberChange(string Action, string Number, long ExpiresAt)
{
    public const string Added = "added";
    public const string Changed = "changed";
    public const string Removed = "removed";
}

/// <summary>A stored policy and the test numbers its change added, changed or removed.</summary>
public sealed record ProtectionUpdate(ProtectionPolicy Policy, IReadOnlyList<TestNumberChange> TestNumberChanges);

public sealed partial class ProtectionService
{
    /// <summary>The fixed PIN of an active test number, or null.</summary>
    /// <remarks>
    /// An entry whose expiry lies further ahead than <see cref="ProtectionOptions.MaxTestNumberLifetime"/>
    /// counts as inactive: it was stored before the bound existed (or under a longer one), and
    /// honouring it would keep random PINs off a real number for longer than the operator allows.
    /// </remarks>
    public async Task<string?> TestPinAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken)
    {
        string scope = applicationId;
        ProtectionPolicy? policy = await GetStoredAsync(tenantId, applicationId, cancellationToken);
        if (policy is null)
        {
            scope = TenantDefault;
            policy = await GetStoredAsync(tenantId, TenantDefault, cancellationToken);
        }

        DateTimeOffset now = time.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds();
        long latest = (now + options.Value.MaxTestNumberLifetime).ToUnixTimeMilliseconds();
        TestNumber? test = policy?.TestNumbers.FirstOrDefault(t => Destinations.CanonicalPhone(t.Number ?? string.Empty) == destination && t.ExpiresAt > nowMs && t.ExpiresAt <= latest);
        if (test is null)
        {
            return null;
        }

        if (test.SealedPin is null)
        {
            return test.Pin?.ToUpperInvariant();
        }

        try
        {
            return protector.Open(TestPinAssociatedData(tenantId, scope, destination), ParseSealed(test.SealedPin));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            Log.TestPinUnreadable(logger, scope, Destinations.Mask(destination), ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// Validates and stores a policy. Test numbers are stored canonical, their PINs sealed (a PIN
    /// omitted for a number already listed keeps that number's PIN), and their expiries bounded by
    /// <see cref="ProtectionOptions.MaxTestNumberLifetime"/>.
    /// </summary>
    public async Task<Result<ProtectionUpdate>> SetAsync(string tenantId, string scope, ProtectionPolicy policy, CancellationToken cancellationToken)
    {
        if (policy.TestNumbers.Any(t => t.SealedPin is not null))
        {
            return TfaError.Field("testNumbers.sealedPin", "is set by OpenTfa, not by callers: send pin");
        }

        string? previousJson = await store.GetProtectionPolicyAsync(tenantId, scope, cancellationToken);
        List<TestNumber> previous = previousJson is null ? [] : JsonSerializer.Deserialize(previousJson, CoreJsonContext.Default.ProtectionPolicy)?.TestNumbers ?? [];
        Dictionary<string, TestNumber> before = previous
            .Select(t => (Number: Destinations.CanonicalPhone(t.Number ?? string.Empty), Test: t))
            .Where(p => p.Number is not null)
            .GroupBy(p => p.Number!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Test, StringComparer.Ordinal);

        ValidationErrors errors = policy.Validate();
        DateTimeOffset now = time.GetUtcNow();
        TimeSpan lifetime = options.Value.MaxTestNumberLifetime;
        long latest = (now + lifetime).ToUnixTimeMilliseconds();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (TestNumber test in policy.TestNumbers)
        {
            string? number = Destinations.CanonicalPhone(test.Number ?? string.Empty);
            if (number is not null && !seen.Add(number))
            {
                errors.Add("testNumbers.number", $"'{Destinations.Mask(number)}' is listed twice");
            }

            if (test.ExpiresAt > latest)
            {
                errors.Add("testNumbers.expiresAt", string.Create(CultureInfo.InvariantCulture,
                    $"must be at most {FormatLifetime(lifetime)} ahead (OpenTfa:Protection:MaxTestNumberLifetime), that is at most {latest}"));
            }

            if (string.IsNullOrEmpty(test.Pin) && number is not null && !before.ContainsKey(number))
            {
                errors.Add("testNumbers.pin", $"is required for '{Destinations.Mask(number)}', which has no PIN yet");
            }
        }

        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        var changes = new List<TestNumberChange>();
        foreach (TestNumber test in policy.TestNumbers)
        {
            string number = Destinations.CanonicalPhone(test.Number!)!;
            string associated = TestPinAssociatedData(tenantId, scope, number);
            test.Number = number;
            before.TryGetValue(number, out TestNumber? old);
            string? oldPin = old is null ? null : OldPin(old, associated);
            string? newPin = string.IsNullOrEmpty(test.Pin) ? oldPin : test.Pin.ToUpperInvariant();
            if (newPin is null)
            {
                // The old PIN can no longer be opened (its key left the key ring): a new one is needed.
                return TfaError.Field("testNumbers.pin", $"is required for '{Destinations.Mask(number)}': its stored PIN can no longer be read");
            }

            test.SealedPin = FormatSealed(protector.Seal(associated, newPin));
            test.Pin = null;
            if (old is null)
            {
                changes.Add(new TestNumberChange(TestNumberChange.Added, number, test.ExpiresAt));
            }
            else if (old.ExpiresAt != test.ExpiresAt || oldPin != newPin)
            {
                changes.Add(new TestNumberChange(TestNumberChange.Changed, number, test.ExpiresAt));
            }
        }

        changes.AddRange(before.Where(b => !seen.Contains(b.Key)).Select(b => new TestNumberChange(TestNumberChange.Removed, b.Key, b.Value.ExpiresAt)));
        await store.SetProtectionPolicyAsync(tenantId, scope, JsonSerializer.Serialize(policy, CoreJsonContext.Default.ProtectionPolicy), now, cancellationToken);
        _policies[(tenantId, scope)] = (policy, now);
        return new ProtectionUpdate(policy, changes);
    }

    private string? OldPin(TestNumber old, string associated)
    {
        if (old.SealedPin is null)
        {
            return old.Pin?.ToUpperInvariant();
        }

        try
        {
            return protector.Open(associated, ParseSealed(old.SealedPin));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The sealed PIN is bound to its tenant, policy and number, so it does not open when copied to another.</summary>
    private static string TestPinAssociatedData(string tenantId, string scope, string number) => $"test-number:{tenantId}:{scope}:{number}";

    private static string FormatSealed(SealedSecret sealedPin) => $"{sealedPin.KeyId}:{Convert.ToBase64String(sealedPin.Data)}";

    private static SealedSecret ParseSealed(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? throw new FormatException("A sealed test PIN needs a key id.") : new SealedSecret(text[..colon], Convert.FromBase64String(text[(colon + 1)..]));
    }

    private static string FormatLifetime(TimeSpan lifetime) =>
        lifetime.TotalDays >= 1 && lifetime.Ticks % TimeSpan.TicksPerDay == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{lifetime.TotalDays} days")
            : lifetime.ToString("c", CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(3, LogLevel.Error, "The PIN of test number {Destination} in policy {Scope} cannot be opened ({Error}); the number is treated as an ordinary one")]
        public static partial void TestPinUnreadable(ILogger logger, string scope, string destination, string error);
    }
}
