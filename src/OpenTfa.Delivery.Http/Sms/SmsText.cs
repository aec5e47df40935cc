namespace OpenTfa.Delivery.Http;

/// <summary>Facts about an SMS text that gateways need: whether GSM 03.38 can carry it.</summary>
internal static class SmsText
{
    private const string Gsm =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" +
        "\f^{}\\[~]|€";

    public static bool IsGsm7(string text) => text.All(c => Gsm.Contains(c, StringComparison.Ordinal));

    public static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    /// <summary>E.164 with its plus sign, from OpenTfa's canonical digits.</summary>
    public static string E164(string canonical) => canonical.StartsWith('+') ? canonical : "+" + canonical;
}
