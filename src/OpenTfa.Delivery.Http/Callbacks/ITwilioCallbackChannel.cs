namespace OpenTfa.Delivery.Http.Callbacks;

/// <summary>A Twilio channel whose status callbacks (and, for calls, gather callbacks) OpenTfa receives.</summary>
public interface ITwilioCallbackChannel
{
    string Name { get; }

    /// <summary>
    /// Checks <c>X-Twilio-Signature</c> against the URL Twilio requested — the channel's
    /// CallbackBaseUrl followed by <paramref name="pathAndQuery"/> exactly as received — and the POST parameters.
    /// </summary>
    bool Authenticate(string pathAndQuery, IReadOnlyList<KeyValuePair<string, string>> form, string? signature);

    /// <summary>Reads an authenticated status callback.</summary>
    CallbackResult ReadStatus(IReadOnlyList<KeyValuePair<string, string>> form);
}

internal static class TwilioCallbacks
{
    public static bool Authenticate(Uri? callbackBase, string authToken, string pathAndQuery, IReadOnlyList<KeyValuePair<string, string>> form, string? signature)
    {
        if (callbackBase is null || !pathAndQuery.StartsWith('/'))
        {
            return false;
        }

        string url = callbackBase.AbsoluteUri.TrimEnd('/') + pathAndQuery;
        return TwilioSignature.IsValid(authToken, url, form, signature);
    }

    public static string? Get(IReadOnlyList<KeyValuePair<string, string>> form, string key) =>
        form.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal)).Value;
}
