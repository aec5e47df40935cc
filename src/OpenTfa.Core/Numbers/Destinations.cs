using System.Collections.Concurrent;
using System.Net.Mail;
using PhoneNumbers;

namespace OpenTfa.Core.Numbers;

public enum NumberCheck
{
    NotConfigured,
    NotReachable,
}

/// <summary>Canonical forms of destinations, so that limits and history match however a number is written.</summary>
public static class Destinations
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// What the numbering plan says of recent numbers: a send asks it several times (the number
    /// check, protection rules, metric labels), and one parse answers every question. The
    /// answers never change while the process runs, so at most this many are kept.
    /// </summary>
    private const int MaxRemembered = 8192;

    private static ConcurrentDictionary<string, PlanAnswers> RememberedPlans = new(StringComparer.Ordinal);

    /// <summary>
    /// Numbers added to <see cref="RememberedPlans"/>, counted apart: the dictionary's own count
    /// takes every one of its locks, which made each new number contend with every request.
    /// </summary>
    private static int AddedPlans;

    /// <summary>
    /// International digits of a phone number: a leading <c>+</c> or <c>00</c>, spaces, dots,
    /// dashes and parentheses are accepted and removed. Null when it is not a number at all.
    /// </summary>
    public static string? CanonicalPhone(string to)
    {
        Span<char> digits = stackalloc char[Math.Min(to.Length, 64)];
        int n = 0;
        string trimmed = to.Trim();
        int start = trimmed.StartsWith('+') ? 1 : 0;
        for (int i = start; i < trimmed.Length; i++)
        {
            char c = trimmed[i];
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length)
                {
                    return null;
                }

                digits[n++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return null;
            }
        }

        var result = new string(digits[..n]);
        if (start == 0 && result.StartsWith("00", StringComparison.Ordinal))
        {
            result = result[2..];
        }

        return result.Length is >= 6 and <= 15 && result[0] != '0' ? result : null;
    }

    /// <summary>
    /// With no lookup provider: a number that cannot exist in its numbering plan is not
    /// reachable; a plausible one is sent with <see cref="NumberCheck.NotConfigured"/>.
    /// </summary>
    public static NumberCheck Check(string canonicalPhone) => PlanOf(canonicalPhone).Check;

    /// <summary>The region (ISO country code) of a canonical number, or "ZZ" when unknown.</summary>
    public static string Country(string canonicalPhone) => PlanOf(canonicalPhone).Country;

    /// <summary>libphonenumber's type of a canonical number (MOBILE, FIXED_LINE, VOIP, PREMIUM_RATE, …), or UNKNOWN.</summary>
    public static string NumberType(string canonicalPhone) => PlanOf(canonicalPhone).Type;

    private static PlanAnswers PlanOf(string canonicalPhone)
    {
        ConcurrentDictionary<string, PlanAnswers> remembered = Volatile.Read(ref RememberedPlans);
        if (remembered.TryGetValue(canonicalPhone, out PlanAnswers? known))
        {
            return known;
        }

        PlanAnswers answers = AskPlan(canonicalPhone);
        if (Interlocked.Increment(ref AddedPlans) > MaxRemembered)
        {
            // Start afresh: the numbers asked about again are parsed again, once.
            Volatile.Write(ref AddedPlans, 0);
            Volatile.Write(ref RememberedPlans, remembered = new(StringComparer.Ordinal));
        }

        remembered.TryAdd(canonicalPhone, answers);
        return answers;
    }

    private static PlanAnswers AskPlan(string canonicalPhone)
    {
        PhoneNumber number;
        try
        {
            number = Phones.Parse("+" + canonicalPhone, null);
        }
        catch (NumberParseException)
        {
            return new PlanAnswers("ZZ", "UNKNOWN", NumberCheck.NotReachable);
        }

        NumberCheck check = Phones.IsPossibleNumber(number) && Phones.IsValidNumber(number) ? NumberCheck.NotConfigured : NumberCheck.NotReachable;
        string type = Phones.GetNumberType(number) switch
        {
            PhoneNumberType.FIXED_LINE => "FIXED_LINE",
            PhoneNumberType.MOBILE => "MOBILE",
            PhoneNumberType.FIXED_LINE_OR_MOBILE => "FIXED_LINE_OR_MOBILE",
            PhoneNumberType.TOLL_FREE => "TOLL_FREE",
            PhoneNumberType.PREMIUM_RATE => "PREMIUM_RATE",
            PhoneNumberType.SHARED_COST => "SHARED_COST",
            PhoneNumberType.VOIP => "VOIP",
            PhoneNumberType.PERSONAL_NUMBER => "PERSONAL_NUMBER",
            PhoneNumberType.PAGER => "PAGER",
            PhoneNumberType.UAN => "UAN",
            PhoneNumberType.VOICEMAIL => "VOICEMAIL",
            _ => "UNKNOWN",
        };
        return new PlanAnswers(Phones.GetRegionCodeForNumber(number) ?? "ZZ", type, check);
    }

    private sealed record PlanAnswers(string Country, string Type, NumberCheck Check);

    /// <summary>A lower-case address, or null when the text is not one address.</summary>
    public static string? CanonicalEmail(string to)
    {
        string trimmed = to.Trim();
        if (trimmed.Length is 0 or > 254 || trimmed.Any(char.IsControl) || trimmed.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        return MailAddress.TryCreate(trimmed, out MailAddress? address) && address.Address == trimmed && string.IsNullOrEmpty(address.DisplayName)
            ? trimmed.ToLowerInvariant()
            : null;
    }

    /// <summary>What logs may show of a destination: the last four digits of a number, the first letter and domain of an address.</summary>
    public static string Mask(string destination)
    {
        int at = destination.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return destination[0] + "***" + destination[at..];
        }

        return destination.Length <= 4 ? "****" : new string('*', destination.Length - 4) + destination[^4..];
    }
}
