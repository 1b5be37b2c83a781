/* SPDX-License-Identifier: Apache-2.0 */
/* Unsolicited services (Green Book): data-notification (push) and event-notification-request. */
#include "server_private.h"

mtr_err_t mtr_dlms_data_notification(uint32_t long_iid, const uint8_t *datetime, const uint8_t *body,
                                     size_t body_len, uint8_t *out, size_t cap, size_t *len)
{
    struct dlms_out o = {out, cap, 0};
    uint8_t h[18] = {TAG_DATA_NOTIFICATION};
    size_t hl = datetime != NULL ? 18u : 6u;

    MTR_ASSERT(body != NULL && out != NULL && len != NULL);
    mtr_put_be32(h + 1, long_iid);
    h[5] = datetime != NULL ? 12 : 0;
    if (datetime != NULL)
        memcpy(h + 6, datetime, 12);
    if (body_len > cap || hl > cap - body_len)
        return MTR_ERR_FULL;
    memmove(out + hl, body, body_len); /* the body may already sit inside out */
    (void)out_put(&o, h, hl);
    *len = hl + body_len;
    return MTR_OK;
}

mtr_err_t mtr_dlms_event_notification(const uint8_t *datetime, uint16_t class_id, const uint8_t obis[6],
                                      uint8_t attr, const uint8_t *value, size_t value_len, uint8_t *out,
                                      size_t cap, size_t *len)
{
    struct dlms_out o = {out, cap, 0};
    uint8_t d[9];
    bool ok;

    MTR_ASSERT(obis != NULL && value != NULL && out != NULL && len != NULL);
    mtr_put_be16(d, class_id);
    memcpy(d + 2, obis, 6);
    d[8] = attr;
    ok = out_u8(&o, TAG_EVENT_NOTIFICATION) && out_u8(&o, datetime != NULL) &&
         (datetime == NULL || (out_u8(&o, 12) && out_put(&o, datetime, 12))) && out_put(&o, d, sizeof d) &&
         out_put(&o, value, value_len);
    if (!ok)
        return MTR_ERR_FULL;
    *len = o.len;
    return MTR_OK;
}
