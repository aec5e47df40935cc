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
    /// check, protection rules, metric labels) and each answer costs a parse and the plan's
    /// patterns. The answers never change while the process runs, so at most this many are kept.
    /// </summary>
    private const int MaxRemembered = 8192;

    private static readonly ConcurrentDictionary<(string Phone, char Question), string> Remembered = new();

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
    public static NumberCheck Check(string canonicalPhone) =>
        Remember(canonicalPhone, 'c', static phone => CheckOf(phone).ToString()) == nameof(NumberCheck.NotConfigured) ? NumberCheck.NotConfigured : NumberCheck.NotReachable;

    private static NumberCheck CheckOf(string canonicalPhone)
    {
        try
        {
            PhoneNumber number = Phones.Parse("+" + canonicalPhone, null);
            return Phones.IsPossibleNumber(number) && Phones.IsValidNumber(number) ? NumberCheck.NotConfigured : NumberCheck.NotReachable;
        }
        catch (NumberParseException)
        {
            return NumberCheck.NotReachable;
        }
    }

    /// <summary>The region (ISO country code) of a canonical number, or "ZZ" when unknown.</summary>
    public static string Country(string canonicalPhone) => Remember(canonicalPhone, 'r', CountryOf);

    private static string CountryOf(string canonicalPhone)
    {
        try
        {
            return Phones.GetRegionCodeForNumber(Phones.Parse("+" + canonicalPhone, null)) ?? "ZZ";
        }
        catch (NumberParseException)
        {
            return "ZZ";
        }
    }

    /// <summary>libphonenumber's type of a canonical number (MOBILE, FIXED_LINE, VOIP, PREMIUM_RATE, …), or UNKNOWN.</summary>
    public static string NumberType(string canonicalPhone) => Remember(canonicalPhone, 't', NumberTypeOf);

    private static string NumberTypeOf(string canonicalPhone)
    {
        try
        {
            return Phones.GetNumberType(Phones.Parse("+" + canonicalPhone, null)) switch
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
        }
        catch (NumberParseException)
        {
            return "UNKNOWN";
        }
    }

    private static string Remember(string canonicalPhone, char question, Func<string, string> answer)
    {
        if (Remembered.TryGetValue((canonicalPhone, question), out string? known))
        {
            return known;
        }

        string value = answer(canonicalPhone);
        if (Remembered.Count >= MaxRemembered)
        {
            Remembered.Clear();
        }

        Remembered[(canonicalPhone, question)] = value;
        return value;
    }

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
