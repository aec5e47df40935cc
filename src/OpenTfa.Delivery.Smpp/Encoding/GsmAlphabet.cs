using System.Diagnostics.CodeAnalysis;

namespace OpenTfa.Delivery.Smpp.Encoding;

/// <summary>
/// The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, one septet per
/// octet ("unpacked"). Extension characters take two septets: the escape 0x1B, then the code.
/// </summary>
public static class GsmAlphabet
{
    public const byte Escape = 0x1B;

    // Index = septet value. 0x1B is the escape and maps to no character of its own.
    private const string Basic =
        "@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5" +
        "\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\u001B\u00C6\u00E6\u00DF\u00C9" +
        " !\"#\u00A4%&'()*+,-./0123456789:;<=>?" +
        "\u00A1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7" +
        "\u00BFabcdefghijklmnopqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0";

    private static readonly (char Character, byte Code)[] ExtensionTable =
    [
        ('\f', 0x0A), ('^', 0x14), ('{', 0x28), ('}', 0x29), ('\\', 0x2F),
        ('[', 0x3C), ('~', 0x3D), (']', 0x3E), ('|', 0x40), ('\u20AC', 0x65),
    ];

    private static readonly Dictionary<char, byte> BasicCodes = BuildBasicCodes();
    private static readonly Dictionary<char, byte> ExtensionCodes = ExtensionTable.ToDictionary(e => e.Character, e => e.Code);
    private static readonly Dictionary<byte, char> ExtensionCharacters = ExtensionTable.ToDictionary(e => e.Code, e => e.Character);

    /// <summary>Septets the character takes: 1 (basic table), 2 (extension table) or 0 (not in the alphabet).</summary>
    public static int SeptetLength(char c) =>
        BasicCodes.ContainsKey(c) ? 1 : ExtensionCodes.ContainsKey(c) ? 2 : 0;

    /// <summary>True when every character of the text is in the default alphabet or its extension.</summary>
    public static bool CanEncode(ReadOnlySpan<char> text) => TryCountSeptets(text, out _);

    public static bool TryCountSeptets(ReadOnlySpan<char> text, out int septets)
    {
        septets = 0;
        foreach (var c in text)
        {
            var length = SeptetLength(c);
            if (length == 0)
            {
                septets = 0;
                return false;
            }

            septets += length;
        }

        return true;
    }

    public static bool TryEncode(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? septets)
    {
        if (!TryCountSeptets(text, out var count))
        {
            septets = null;
            return false;
        }

        septets = new byte[count];
        var i = 0;
        foreach (var c in text)
        {
            if (BasicCodes.TryGetValue(c, out var code))
            {
                septets[i++] = code;
            }
            else
            {
                septets[i++] = Escape;
                septets[i++] = ExtensionCodes[c];
            }
        }

        return true;
    }

    public static byte[] Encode(ReadOnlySpan<char> text) =>
        TryEncode(text, out var septets)
            ? septets
            : throw new ArgumentException("The text has characters outside the GSM 03.38 default alphabet.", nameof(text));

    /// <summary>
    /// Decodes unpacked septets. An escape before an undefined extension code shows the basic
    /// character, as 3GPP TS 23.038 asks; a trailing escape is dropped; bit 7 is ignored.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var chars = new char[septets.Length];
        var n = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = (byte)(septets[i] & 0x7F);
            if (septet != Escape)
            {
                chars[n++] = Basic[septet];
                continue;
            }

            if (i + 1 >= septets.Length)
            {
                break;
            }

            var code = (byte)(septets[++i] & 0x7F);
            chars[n++] = ExtensionCharacters.TryGetValue(code, out var extended) ? extended
                : code == Escape ? ' '
                : Basic[code];
        }

        return new string(chars, 0, n);
    }

    private static Dictionary<char, byte> BuildBasicCodes()
    {
        var codes = new Dictionary<char, byte>(Basic.Length);
        for (var i = 0; i < Basic.Length; i++)
        {
            if (i != Escape)
            {
                codes[Basic[i]] = (byte)i;
            }
        }

        return codes;
    }
}
