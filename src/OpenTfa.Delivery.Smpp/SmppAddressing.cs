using System.Diagnostics.CodeAnalysis;

namespace OpenTfa.Delivery.Smpp;

/// <summary>An SMPP address with its type of number and numbering plan.</summary>
public readonly record struct SmppAddress(byte Ton, byte Npi, string Address);

/// <summary>
/// Chooses TON/NPI for senders and destinations.
/// Sender: empty → 0/0 (the SMSC's default sender); '+' and digits, or more than 8 digits →
/// 1/1 international (the '+' removed); at most 8 digits → 3/0 network-specific short code;
/// anything else → 5/0 alphanumeric (1–11 printable ASCII characters).
/// Destination: 1–20 digits (a leading '+' removed) → 1/1. Options override each value.
/// </summary>
public static class SmppAddressing
{
    public const byte TonUnknown = 0;
    public const byte TonInternational = 1;
    public const byte TonNetworkSpecific = 3;
    public const byte TonAlphanumeric = 5;
    public const byte NpiUnknown = 0;
    public const byte NpiIsdn = 1;

    public const int MaxShortCodeDigits = 8;
    public const int MaxAlphanumericLength = 11;
    public const int MaxDigits = 20;

    public static bool TryGetSource(string? source, SmppConnectionOptions options, out SmppAddress address)
    {
        ArgumentNullException.ThrowIfNull(options);
        address = default;
        source ??= string.Empty;
        SmppAddress chosen;
        if (source.Length == 0)
        {
            chosen = new SmppAddress(TonUnknown, NpiUnknown, string.Empty);
        }
        else if (source[0] == '+')
        {
            var digits = source[1..];
            if (!IsDigits(digits))
            {
                return false;
            }

            chosen = new SmppAddress(TonInternational, NpiIsdn, digits);
        }
        else if (IsDigits(source))
        {
            chosen = source.Length <= MaxShortCodeDigits
                ? new SmppAddress(TonNetworkSpecific, NpiUnknown, source)
                : new SmppAddress(TonInternational, NpiIsdn, source);
        }
        else if (source.Length <= MaxAlphanumericLength && source.All(c => c is >= ' ' and <= '~'))
        {
            chosen = new SmppAddress(TonAlphanumeric, NpiUnknown, source);
        }
        else
        {
            return false;
        }

        address = chosen with { Ton = options.SourceTon ?? chosen.Ton, Npi = options.SourceNpi ?? chosen.Npi };
        return true;
    }

    public static bool TryGetDestination(string? destination, SmppConnectionOptions options, out SmppAddress address)
    {
        ArgumentNullException.ThrowIfNull(options);
        address = default;
        var digits = destination is ['+', .. var rest] ? rest : destination;
        if (!IsDigits(digits))
        {
            return false;
        }

        address = new SmppAddress(options.DestTon ?? TonInternational, options.DestNpi ?? NpiIsdn, digits);
        return true;
    }

    /// <summary>All but the last four characters replaced by '*'; fully masked when that would show everything.</summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        return value.Length <= 4 ? new string('*', value.Length) : new string('*', value.Length - 4) + value[^4..];
    }

    private static bool IsDigits([NotNullWhen(true)] string? value) =>
        value is { Length: >= 1 and <= MaxDigits } && value.All(char.IsAsciiDigit);
}
