using System.Net.Http.Headers;

namespace OpenTfa.Client;

/// <summary>Where OpenTfa is and which key to present.</summary>
public sealed class OpenTfaClientOptions
{
    /// <summary>The server's root, e.g. <c>http://127.0.0.1:5080</c>. A path is kept (<c>https://gw.example.com/otp/</c>).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key, sent as <c>Authorization: App &lt;key&gt;</c>. Null sends no header (health probes need none).</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one request may take before it is abandoned.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sets the base address, the key and the timeout on <paramref name="httpClient"/>.</summary>
    public void ApplyTo(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (BaseAddress is null)
        {
            throw new InvalidOperationException("OpenTfaClientOptions.BaseAddress is not set: give the server's address, e.g. http://127.0.0.1:5080");
        }

        if (!BaseAddress.IsAbsoluteUri || (BaseAddress.Scheme != Uri.UriSchemeHttp && BaseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"OpenTfaClientOptions.BaseAddress must be an absolute http or https address, not '{BaseAddress}'");
        }

        // Relative paths resolve under the base only when it ends with a slash.
        string text = BaseAddress.AbsoluteUri;
        httpClient.BaseAddress = text.EndsWith('/') ? BaseAddress : new Uri(text + "/");
        httpClient.Timeout = Timeout;
        if (!string.IsNullOrEmpty(ApiKey))
        {
            if (ApiKey.Any(char.IsControl))
            {
                throw new InvalidOperationException("OpenTfaClientOptions.ApiKey contains a control character (a stray line break?)");
            }

            httpClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", ApiKey);
        }
    }
}
