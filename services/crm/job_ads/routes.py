from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.crm.deps import SessionDep
from services.crm.job_ads import service
from services.crm.job_ads.schemas import JobAdPublish, JobAdRead
from shared.auth import Staff

router = APIRouter(prefix="/api/v1/orders/{order_id}/job-ad", tags=["job-ads"])


@router.get("", response_model=JobAdRead, summary="Ordrens jobopslag (også et tilbagetrukket)")
def get_job_ad(order_id: int, session: SessionDep, principal: Staff):
    return service.read_for_order(session, principal, order_id)


@router.post("", response_model=JobAdRead, status_code=status.HTTP_201_CREATED,
             summary="Slå ordren op som åbent jobopslag, eller ret teksten i det offentlige opslag (200)",
             responses={200: {"description": "Opslaget var allerede offentligt; teksten er rettet", "model": JobAdRead},
                        409: {"description": "Ordren er lukket, eller dens frist er overskredet"}})
def publish_job_ad(order_id: int, data: JobAdPublish, response: Response, session: SessionDep, principal: Staff):
    ad, newly = service.publish(session, principal, order_id, data)
    if not newly:
        response.status_code = status.HTTP_200_OK
    return ad


@router.delete("", status_code=status.HTTP_204_NO_CONTENT,
               summary="Træk jobopslaget tilbage (det forsvinder fra de offentlige sider og feedet)")
def unpublish_job_ad(order_id: int, session: SessionDep, principal: Staff) -> Response:
    service.unpublish(session, principal, order_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
